import * as core from '@tributary/core';
import type { Id, RequestScope } from '@tributary/core';
import { RequestAnalytics } from '@tributary/core/adapter';
import { deliverAfterResponse } from './deliver-after-response.js';
import { isBuildPhase } from './env.js';
import type { NextRequestOptions } from './init.js';
import { pageUrl, resolveUserSafely, scopeFromRequest } from './scope-from-request.js';
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
  return async function handlerWithAnalytics(request, context) {
    if (isBuildPhase())
      return handler(request, context, new RequestAnalytics(acquireClient(core.Analytics), {}));
    const client = sharedClient(core.Analytics);
    const settings = settingsNow();
    const cookies: string[] = [];
    const scope = scopeFromRequest(
      {
        url: pageUrl(request.url, request.headers.get('host')),
        headers: request.headers,
        setCookie: (cookie) => cookies.push(cookie),
      },
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
      for (const cookie of cookies) appendCookie(response, cookie);
      return response;
    } finally {
      const timeout = settings.flushTimeout ?? DEFAULT_FLUSH_TIMEOUT;
      const { pending } = deliverAfterResponse(() => client.flush({ timeout }));
      // Only where nothing can keep the function alive: bounded by the flush timeout.
      if (pending !== undefined) await pending;
    }
  };
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
