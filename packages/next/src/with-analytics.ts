import * as core from '@tributary/core';
import type { Analytics, Id, RequestScope } from '@tributary/core';
import { RequestAnalytics } from '@tributary/core/adapter';
import { batchDelivers } from './batch-delivery.js';
import { deliverAfterResponse } from './deliver-after-response.js';
import { isBuildPhase } from './env.js';
import type { NextRequestOptions } from './init.js';
import { RouteRequestFacts } from './route-request-facts.js';
import { resolveUserSafely, scopeFromRequest } from './scope-from-request.js';
import { acquireClient, settingsWith, sharedClient } from './shared-client.js';

/** Options of {@link withAnalytics}; request options default to those given to `initAnalytics`. */
export interface WithAnalyticsOptions<
  TRequest extends Request = Request,
> extends NextRequestOptions {
  /** The signed-in user's id, from your auth (a session cookie, a JWT). May be async. Defaults to none: anonymous. */
  resolveUser?:
    ((request: TRequest) => Id | undefined | null | Promise<Id | undefined | null>) | undefined;
}

const DEFAULT_FLUSH_TIMEOUT = 2000;
const byScope = new WeakMap<RequestScope, RequestAnalytics>();

/**
 * Wraps an App Router route handler: calls made while it runs (by `analytics`, `getAnalytics()` or
 * any client) carry the request's context and identity, and delivery happens after the response
 * (by the client's batching on `next start` with `initAnalytics`, else `after()` or the platform's
 * `waitUntil`), so the response never waits for analytics. A
 * visitor without an `ajs_anonymous_id` cookie gets one on the response (see `anonymousIdCookie`).
 * Control-flow errors (`redirect()`, `notFound()`) pass through untouched.
 * @example
 * export const POST = withAnalytics(async (request, _ctx, analytics) => {
 *   analytics.track({ event: 'Order Completed', properties: { total: 42 } });
 *   return Response.json({ ok: true });
 * }, { resolveUser: (request) => request.headers.get('x-user-id') });
 */
export function withAnalytics<TRequest extends Request, TContext, TResponse extends Response>(
  handler: (
    request: TRequest,
    context: TContext,
    analytics: RequestAnalytics,
  ) => TResponse | Promise<TResponse>,
  options: WithAnalyticsOptions<TRequest> = {},
): (request: TRequest, context: TContext) => Promise<TResponse> {
  const settingsNow = settingsWith(options);
  // `next build` sets NEXT_PHASE before it loads a route, so the wrapper decides once, not per request.
  const building = isBuildPhase();
  return async function handlerWithAnalytics(request, context) {
    if (building)
      return handler(request, context, new RequestAnalytics(acquireClient(core.Analytics), {}));
    const client = sharedClient(core.Analytics);
    const settings = settingsNow();
    const facts = new RouteRequestFacts(request);
    const scope = scopeFromRequest(
      facts,
      settings,
      settings.resolveUser === undefined
        ? undefined
        : await resolveUserSafely(settings.resolveUser, request),
    );
    const analytics = new RequestAnalytics(client, scope);
    try {
      const result = core.runWithScope(scope, () => {
        const current = core.getCurrentScope();
        if (current !== undefined) byScope.set(current, analytics);
        return handler(request, context, analytics);
      });
      // A handler that answers synchronously needs no extra turn.
      const response = result instanceof Response ? result : await result;
      if (facts.cookies !== undefined)
        for (const cookie of facts.cookies) appendCookie(response, cookie);
      return response;
    } finally {
      // On `next start` the client's batching delivers: no flush, and no closure for one.
      const pending = batchDelivers()
        ? undefined
        : flushAfterResponse(client, settings.flushTimeout);
      // Only where nothing can keep the function alive: bounded by the flush timeout.
      if (pending !== undefined) await pending;
    }
  };
}

/** Hands the flush to `after()` or the platform; a promise only when it must be awaited. */
function flushAfterResponse(
  client: Analytics,
  flushTimeout: number | undefined,
): Promise<unknown> | undefined {
  const timeout = flushTimeout ?? DEFAULT_FLUSH_TIMEOUT;
  return deliverAfterResponse(() => client.flush({ timeout })).pending;
}

function appendCookie(response: Response, cookie: string): void {
  try {
    response.headers.append('set-cookie', cookie);
  } catch {
    // Immutable headers (`Response.redirect()`): the id still served this request.
  }
}

/** The `RequestAnalytics` of the `withAnalytics` handler running now, if any. */
export function currentRequestAnalytics(): RequestAnalytics | undefined {
  const scope = core.getCurrentScope();
  return scope === undefined ? undefined : byScope.get(scope);
}

export { DEFAULT_FLUSH_TIMEOUT };
