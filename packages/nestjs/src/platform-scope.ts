import type { LoggerService } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import { runWithScope, type RequestScope } from '@tributary/core/adapter';
import type { AnalyticsInterceptor } from './analytics.interceptor.js';
import { cachedScope } from './execution-scope.js';
import type { AnalyticsModuleSettings, AnalyticsRequest } from './options.js';
import {
  REQUEST_CONTEXT,
  RequestExecutionContext,
  type RequestWithContext,
} from './request-execution-context.js';
import { SCOPE_OWNER, type ScopeOwnerHolder } from './request-marks.js';
import { watchRequest } from './request-events.js';
import type { AnyAnalytics } from './options.js';

/** What the platform hook needs of the module. */
export interface PlatformScopeOwner {
  readonly client: AnyAnalytics;
  readonly options: AnalyticsModuleSettings;
  readonly interceptor: AnalyticsInterceptor;
  readonly logger: Pick<LoggerService, 'warn'>;
  /** Whether `resolveUser` reads its context: then the request keeps it for the module's guard. */
  readonly keepsContext: boolean;
}

/**
 * Enters each HTTP request's scope in the platform itself, so an HTTP handler needs no Nest
 * interceptor: with none on a route, Nest runs no rxjs pipeline for it. On Express a middleware
 * mounted before Nest's routes; on Fastify a `preHandler` hook, which runs after the body is
 * parsed (Fastify parses it outside the request's async context) and calls the route's handler
 * synchronously. Returns whether the platform took the hook.
 */
export function enterScopeInPlatform(
  adapterHost: HttpAdapterHost,
  owner: PlatformScopeOwner,
): boolean {
  const adapter = adapterHost.httpAdapter as
    { getType?: () => string; getInstance?: () => unknown } | undefined;
  const type = adapter?.getType?.();
  const instance = adapter?.getInstance?.() as PlatformInstance | undefined;
  if (instance === undefined) return false;
  if (type === 'express' && typeof instance.use === 'function') {
    markOwner(instance, owner);
    instance.use((req: unknown, res: unknown, next: () => void) => {
      enter(owner, req, res, next, next);
    });
    return true;
  }
  if (type === 'fastify' && typeof instance.addHook === 'function') {
    markOwner(instance, owner);
    instance.addHook('preHandler', (request: unknown, reply: unknown, done: () => void) => {
      enter(owner, request, reply, undefined, done);
    });
    return true;
  }
  return false;
}

// Once per app: requests reach it through `req.app` / `request.server` (see request-marks.ts),
// so no request is written to.
function markOwner(instance: PlatformInstance, owner: PlatformScopeOwner): void {
  (instance as ScopeOwnerHolder)[SCOPE_OWNER] = owner.interceptor;
}

interface PlatformInstance {
  use?: (handler: (req: unknown, res: unknown, next: () => void) => void) => unknown;
  addHook?: (
    name: 'preHandler',
    hook: (request: unknown, reply: unknown, done: () => void) => void,
  ) => unknown;
}

function enter(
  owner: PlatformScopeOwner,
  req: unknown,
  res: unknown,
  next: (() => void) | undefined,
  proceed: () => void,
): void {
  let scope: RequestScope | undefined;
  try {
    const request = req as AnalyticsRequest;
    const context = new RequestExecutionContext(req, res, next);
    if (owner.keepsContext) (req as RequestWithContext)[REQUEST_CONTEXT] = context;
    scope = cachedScope(request, res, context, owner.options, owner.logger);
    watchRequest(owner.client, scope, request, res, owner.options);
  } catch (error) {
    owner.logger.warn(
      `could not read the request; continuing without analytics context: ${String(error)}`,
    );
  }
  if (scope === undefined) proceed();
  else runWithScope(scope, proceed);
}
