import * as core from '@tributary/core';
import type { Id, RequestScope } from '@tributary/core';
import { mergeScopes, RequestAnalytics } from '@tributary/core/adapter';
import { headers } from 'next/headers.js';
import { deliverAfterResponse } from './deliver-after-response.js';
import { PAGE_URL_HEADER, scopeFromRequest } from './scope-from-request.js';
import { acquireClient, sharedRequestOptions } from './shared-client.js';
import { currentRequestAnalytics, DEFAULT_FLUSH_TIMEOUT } from './with-analytics.js';

/** Options of {@link getAnalytics}. */
export interface GetAnalyticsOptions {
  /** The signed-in user's id for this request's calls. Defaults to none: the anonymous id only. */
  userId?: Id | undefined;
}

/** One scope per request: `headers()` returns the same object for the whole request. */
const byHeaders = new WeakMap<object, RequestScope>();

/**
 * The request-bound client for Server Components and Server Actions. It reads `await headers()`
 * once per request (so the route renders dynamically) and schedules delivery with `after()` on
 * the first call. Inside a `withAnalytics` route handler it returns that handler's client.
 * In a Server Component, call it before `after()`: request APIs throw inside `after` there.
 * @example
 * 'use server';
 * export async function subscribe(formData: FormData) {
 *   const analytics = await getAnalytics({ userId: await currentUserId() });
 *   analytics.track({ event: 'Newsletter Subscribed', properties: { list: formData.get('list') } });
 * }
 */
export async function getAnalytics(options: GetAnalyticsOptions = {}): Promise<RequestAnalytics> {
  const running = currentRequestAnalytics();
  if (running !== undefined && options.userId === undefined) return running;
  const client = acquireClient(core.Analytics);
  let scope: RequestScope =
    running === undefined ? await requestScope() : { context: running.context };
  if (running?.anonymousId !== undefined) scope.anonymousId = running.anonymousId;
  if (options.userId !== undefined) {
    const id = typeof options.userId === 'bigint' ? String(options.userId) : options.userId;
    // Merged, not spread: the kit's scope is lazy (getters), and a spread would copy none of it.
    scope = mergeScopes(scope, { userId: () => id });
  }
  let scheduled = false;
  return new RequestAnalytics(client, scope, {
    onCall: () => {
      if (scheduled) return;
      scheduled = true;
      const timeout = sharedRequestOptions().flushTimeout ?? DEFAULT_FLUSH_TIMEOUT;
      void deliverAfterResponse(() => client.flush({ timeout })).pending;
    },
  });
}

async function requestScope(): Promise<RequestScope> {
  let requestHeaders: Headers;
  try {
    requestHeaders = await headers();
  } catch (error) {
    // Next's own control flow (dynamic-rendering bail-out while prerendering) must reach Next.
    if (isNextInternal(error)) throw error;
    return {};
  }
  const cached = byHeaders.get(requestHeaders);
  if (cached !== undefined) return cached;
  const host = requestHeaders.get('x-forwarded-host') ?? requestHeaders.get('host') ?? 'localhost';
  const url =
    requestHeaders.get(PAGE_URL_HEADER) ?? requestHeaders.get('referer') ?? `http://${host}/`;
  // Server Components cannot set cookies: the id comes from the proxy or analytics.js.
  const scope = scopeFromRequest(
    { url, headers: requestHeaders },
    sharedRequestOptions(),
    undefined,
  );
  byHeaders.set(requestHeaders, scope);
  return scope;
}

/**
 * Next's own control flow: errors with a `digest` (dynamic-usage bail-out while prerendering,
 * redirects) and React postpones. "Outside a request scope" has neither, and is not rethrown.
 */
function isNextInternal(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { digest?: unknown; $$typeof?: unknown };
  return typeof e.digest === 'string' || e.$$typeof !== undefined;
}
