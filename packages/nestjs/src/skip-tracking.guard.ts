import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { enterScope } from '@tributary/core/adapter';
import { scopeOwnerOf, SKIPPED, type MarkedRequest } from './request-marks.js';

/**
 * The guard `@SkipTracking()` puts on its handler or controller. Where the module entered the
 * request's scope in the platform, before Nest chose a handler, it leaves that scope for the rest
 * of the handler (guards, pipes, interceptors and the handler run after it) and keeps the
 * request out of `trackRequests`. Always lets the request through. Stateless: one instance
 * serves every app.
 */
export class SkipTrackingGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType<string>() !== 'http') return true;
    const request = context.getArgs()[0] as MarkedRequest | undefined;
    if (scopeOwnerOf(request) === undefined) return true;
    try {
      Object.defineProperty(request, SKIPPED, { value: true });
    } catch {
      // A frozen request: its request event is recorded.
    }
    enterScope(undefined);
    return true;
  }
}

/** The one instance `@SkipTracking()` registers. */
export const SKIP_TRACKING_GUARD = new SkipTrackingGuard();
