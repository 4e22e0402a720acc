import type { CanActivate, ExecutionContext } from '@nestjs/common';
import type { AnalyticsModuleOptions } from './options.js';
import { REQUEST_CONTEXT, type RequestWithContext } from './request-execution-context.js';

/**
 * Where the scope is entered in the platform, before Nest chose a handler, this global guard
 * hands Nest's context of the chosen handler to the request's context, so `resolveUser(request,
 * executionContext)` reads `getHandler()` and `getClass()` as it does under the interceptor.
 * Registered only when it is needed (see {@link handlerContextGuard}): a guard costs every request
 * a little. Always lets the request through.
 */
export class HandlerContextGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType<string>() === 'http') {
      const request = context.getArgs()[0] as RequestWithContext | undefined;
      const pending = request?.[REQUEST_CONTEXT];
      if (pending !== undefined) pending.handler = context;
    }
    return true;
  }
}

/**
 * Whether a resolver reads its context: it declares the second parameter. Only then does the
 * platform hook keep the request's context for the guard.
 */
export function readsHandlerContext(options: AnalyticsModuleOptions): boolean {
  return (options.resolveUser?.length ?? 0) >= 2;
}

/** The global guard: only in HTTP-only apps whose `resolveUser` reads its context. */
export function handlerContextGuard(
  nonHttpHandlers: boolean,
  options: AnalyticsModuleOptions,
): HandlerContextGuard | null {
  // Nest skips a global enhancer whose factory returns nothing.
  return !nonHttpHandlers && readsHandlerContext(options) ? new HandlerContextGuard() : null;
}
