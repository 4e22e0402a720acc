import type * as Core from '@tributary/core';
import type { Id, Properties } from '@tributary/core';
import { hasIdentity, RequestAnalytics } from '@tributary/core/adapter';
import { NextResponse, type NextFetchEvent, type NextRequest } from 'next/server.js';
import { withAnonymousIdCookie } from './anonymous-id-cookie.js';
import { deliverAfterResponse } from './deliver-after-response.js';
import { isBuildPhase } from './env.js';
import type { NextRequestOptions } from './init.js';
import { isPageView, type PathMatcher } from './path-matcher.js';
import {
  PAGE_URL_HEADER,
  pageUrl,
  resolveUserSafely,
  scopeFromRequest,
} from './scope-from-request.js';
import { acquireClient, settingsWith } from './shared-client.js';

/** What a proxy or middleware function may return. */
export type MiddlewareResult = Response | null | undefined | void;

/** Your `proxy`/`middleware` function, given the request-bound client as a third argument. */
export type AnalyticsMiddleware = (
  request: NextRequest,
  event: NextFetchEvent,
  analytics: RequestAnalytics,
) => MiddlewareResult | Promise<MiddlewareResult>;

/** Options of {@link withAnalyticsMiddleware}. */
export interface WithAnalyticsMiddlewareOptions extends NextRequestOptions {
  /** Record a `page` call for each page request. Defaults to `true`. */
  pageViews?: boolean | undefined;
  /** Only these paths are page views. Defaults to every path not excluded. */
  include?: PathMatcher[] | undefined;
  /** Never page views. Defaults to `DEFAULT_EXCLUDE`: `/_next`, `/api`, `/_vercel` and files with an extension. */
  exclude?: PathMatcher[] | undefined;
  /** The page view's `name`. Defaults to none. */
  pageName?: (request: NextRequest) => string | undefined;
  /** Extra page-view properties, merged over `path`, `url`, `search` and `referrer`. Defaults to none. */
  properties?: (request: NextRequest) => Properties | undefined;
  /** The signed-in user's id. May be async. Defaults to none: anonymous. */
  resolveUser?:
    ((request: NextRequest) => Id | undefined | null | Promise<Id | undefined | null>) | undefined;
  /** Generate an `x-request-id` when the request has none and forward it to the app. Defaults to `true`. */
  requestId?: boolean | undefined;
}

/** Signature of {@link withAnalyticsMiddleware}. */
export type WithAnalyticsMiddleware = (
  middleware?: AnalyticsMiddleware,
  options?: WithAnalyticsMiddlewareOptions,
) => (request: NextRequest, event: NextFetchEvent) => Promise<Response>;

/** Builds `withAnalyticsMiddleware` over core's Node or edge build. */
export function createWithAnalyticsMiddleware(
  core: Pick<typeof Core, 'Analytics' | 'runWithScope'>,
): WithAnalyticsMiddleware {
  return (middleware, options = {}) => {
    const settingsNow = settingsWith(options);
    return async function middlewareWithAnalytics(request, event) {
      const client = acquireClient(core.Analytics);
      const settings = settingsNow();
      if (isBuildPhase())
        return (
          (await middleware?.(request, event, new RequestAnalytics(client, {}))) ??
          NextResponse.next()
        );

      const url = pageUrl(request.url, request.headers.get('host'));
      const userId = await resolveUserSafely(settings.resolveUser, request);
      const cookies: string[] = [];
      const scope = scopeFromRequest(
        { url, headers: request.headers, setCookie: (cookie) => cookies.push(cookie) },
        settings,
        userId,
      );
      const analytics = new RequestAnalytics(client, scope);
      // The app sees what the proxy decided on this very request: id, page URL, anonymous id.
      const forwarded = new Headers(request.headers);
      if (settings.requestId !== false && scope.requestId !== undefined)
        forwarded.set('x-request-id', scope.requestId);
      if (scope.anonymousIdMinted && scope.anonymousId !== undefined)
        forwarded.set('cookie', withAnonymousIdCookie(forwarded.get('cookie'), scope.anonymousId));
      forwarded.set(PAGE_URL_HEADER, url);

      let response: Response | undefined;
      try {
        response =
          (await core.runWithScope(scope, () => middleware?.(request, event, analytics))) ??
          undefined;
      } finally {
        if (
          settings.pageViews !== false &&
          hasIdentity(scope) &&
          isPageView(request, settings.include, settings.exclude)
        ) {
          trackPageView(analytics, request, settings);
        }
        const timeout = settings.flushTimeout ?? 2000;
        const { pending } = deliverAfterResponse(() => client.flush({ timeout }), {
          waitUntil: (p) => event.waitUntil(p),
        });
        if (pending !== undefined) await pending;
      }
      const out = forwardRequestHeaders(response, forwarded);
      return cookies.reduce(appendCookie, out);
    };
  };
}

function trackPageView(
  analytics: RequestAnalytics,
  request: NextRequest,
  settings: WithAnalyticsMiddlewareOptions,
): void {
  const page = analytics.context.page ?? {};
  let name: string | undefined;
  let extra: Properties | undefined;
  try {
    name = settings.pageName?.(request);
    extra = settings.properties?.(request);
  } catch {
    // A throwing callback costs the name or properties, not the page view.
  }
  const properties: Properties = {
    path: page.path,
    url: page.url,
    search: page.search,
    referrer: page.referrer,
    ...extra,
  };
  analytics.page(name === undefined ? { properties } : { name, properties });
}

/**
 * Passes the request id, page URL and seeded cookie on to the app through request headers
 * (`NextResponse.next({ request: { headers } })`), never response headers, which would reach the
 * browser. A response of your own that continues to the app (`next()` or a rewrite) gets them too,
 * unless it already overrides request headers.
 */
function forwardRequestHeaders(response: Response | undefined, forwarded: Headers): Response {
  const carrier = NextResponse.next({ request: { headers: forwarded } });
  if (response === undefined) return carrier;
  const continues =
    response.headers.has('x-middleware-next') || response.headers.has('x-middleware-rewrite');
  if (!continues || response.headers.has('x-middleware-override-headers')) return response;
  carrier.headers.forEach((value, key) => {
    if (key.startsWith('x-middleware-request-') || key === 'x-middleware-override-headers')
      response.headers.set(key, value);
  });
  return response;
}

function appendCookie(response: Response, cookie: string): Response {
  try {
    response.headers.append('set-cookie', cookie);
    return response;
  } catch {
    // `Response.redirect()` has immutable headers: copy it.
    const copy = new Response(response.body, response);
    copy.headers.append('set-cookie', cookie);
    return copy;
  }
}
