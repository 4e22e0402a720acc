/**
 * `@tributary/next`: Tributary analytics for Next.js 15 and 16: route handlers, Server Components
 * and Actions, Pages API routes, proxy/middleware page views, delivery after the response.
 * @packageDocumentation
 */
import * as core from '@tributary/core';
import { createWithAnalyticsMiddleware } from './middleware.js';

export { withAnalytics, type WithAnalyticsOptions } from './with-analytics.js';
export { withAnalyticsApi, type WithAnalyticsApiOptions } from './with-analytics-api.js';
export { getAnalytics, type GetAnalyticsOptions } from './get-analytics.js';
export { initAnalytics, type NextAnalyticsOptions, type NextRequestOptions } from './init.js';
export { flushOnShutdown, type ShutdownMode, type ShutdownOptions } from './shutdown.js';
export {
  onRequestError,
  type ErroredRequest,
  type RequestErrorContext,
  type TrackErrorsOptions,
} from './on-request-error.js';
export { CLIENT_SYMBOL } from './shared-client.js';
export type { RequestAnalytics } from '@tributary/core/adapter';
export { resolveClientIp, type ClientIpOptions, type HeaderReader } from './client-ip.js';
export {
  deliverAfterResponse,
  type DeliveryEnvironment,
  type DeliveryStrategy,
} from './deliver-after-response.js';
export { DEFAULT_EXCLUDE, isPageView, type PathMatcher } from './path-matcher.js';
export {
  ANONYMOUS_ID_COOKIE,
  DEFAULT_SHUTDOWN_TIMEOUT,
  type AnonymousIdCookieOptions,
} from '@tributary/core/adapter';
export type {
  AnalyticsMiddleware,
  MiddlewareResult,
  WithAnalyticsMiddleware,
  WithAnalyticsMiddlewareOptions,
} from './middleware.js';

/**
 * Wraps a `proxy.ts` (Next 16, Node.js) or `middleware.ts` (Next 15, edge) function, or stands in
 * for one: records a page view for each page request (see `include`/`exclude`), seeds the
 * `ajs_anonymous_id` cookie so browser and server share one id, forwards `x-request-id` to the app,
 * and hands delivery to `event.waitUntil`. For `middleware.ts` on the edge runtime, import it from
 * `@tributary/next/middleware`, which loads only core's edge build.
 * @example
 * // proxy.ts
 * import { withAnalyticsMiddleware } from '@tributary/next';
 * export const proxy = withAnalyticsMiddleware();
 * export const config = { matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'] };
 */
export const withAnalyticsMiddleware = createWithAnalyticsMiddleware(core);
