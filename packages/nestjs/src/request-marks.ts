import type { AnalyticsInterceptor } from './analytics.interceptor.js';

/**
 * Set once on the platform instance by the platform hook (`platform-scope.ts`): the module's
 * interceptor, which `@Track()`'s own interceptor hands its handler to. A request reaches it
 * through the instance that serves it (Express `req.app`, Fastify `request.server`), so no
 * request is written to. Its absence means the module enters the scope with its global
 * interceptor (apps with other transports).
 */
export const SCOPE_OWNER = Symbol('tributary.scopeOwner');

/** Set on a request by `@SkipTracking()`'s guard: its request event is not recorded. */
export const SKIPPED = Symbol('tributary.skipped');

/** A platform instance the hook is installed on. */
export interface ScopeOwnerHolder {
  [SCOPE_OWNER]?: AnalyticsInterceptor;
}

/** A request as the platform hook and the decorators' enhancers read and mark it. */
export interface MarkedRequest {
  /** Express: the application serving the request. */
  app?: ScopeOwnerHolder;
  /** Fastify: the instance serving the request. */
  server?: ScopeOwnerHolder;
  [SKIPPED]?: true;
}

/** The module interceptor of the app serving `request`, where the platform hook is installed. */
export function scopeOwnerOf(request: MarkedRequest | undefined): AnalyticsInterceptor | undefined {
  if (request === undefined || request === null) return undefined;
  return (request.app ?? request.server)?.[SCOPE_OWNER];
}
