/**
 * `@tributary/next/middleware`: the proxy/middleware wrapper over core's edge build only (no
 * `node:` imports), for `middleware.ts` on the edge runtime. It works in a Node.js `proxy.ts` too.
 * @packageDocumentation
 */
// The edge build is the point of this entry: it must not pull core's Node build (undici, node:*).
import * as core from '@tributary/core/edge';
import { createWithAnalyticsMiddleware } from './middleware.js';

export { DEFAULT_EXCLUDE, isPageView, type PathMatcher } from './path-matcher.js';
export { ANONYMOUS_ID_COOKIE, type AnonymousIdCookieOptions } from '@tributary/core/adapter';
export { resolveClientIp, type ClientIpOptions, type HeaderReader } from './client-ip.js';
export type { RequestAnalytics } from '@tributary/core/adapter';
export type {
  AnalyticsMiddleware,
  MiddlewareResult,
  WithAnalyticsMiddleware,
  WithAnalyticsMiddlewareOptions,
} from './middleware.js';

/**
 * Wraps a `middleware.ts` (edge) or `proxy.ts` function, or stands in for one: page views,
 * `ajs_anonymous_id` seeding, `x-request-id` forwarding, delivery through `event.waitUntil`.
 * @example
 * // middleware.ts
 * import { withAnalyticsMiddleware } from '@tributary/next/middleware';
 * export const middleware = withAnalyticsMiddleware();
 * export const config = { matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'] };
 */
export const withAnalyticsMiddleware = createWithAnalyticsMiddleware(core);
