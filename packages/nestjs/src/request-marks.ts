import type { AnalyticsInterceptor } from './analytics.interceptor.js';

/**
 * Set on a request by the platform hook (`platform-scope.ts`): the module's interceptor, which
 * `@Track()`'s own interceptor hands its handler to. Its absence means the module entered no
 * scope for the request (the global interceptor does, in apps with other transports).
 */
export const SCOPE_OWNER = Symbol('tributary.scopeOwner');

/** Set on a request by `@SkipTracking()`'s guard: its request event is not recorded. */
export const SKIPPED = Symbol('tributary.skipped');

/** A request as the platform hook and the decorators' enhancers mark it. */
export interface MarkedRequest {
  [SCOPE_OWNER]?: AnalyticsInterceptor;
  [SKIPPED]?: true;
}
