/**
 * `@tributary/express`: request context, identity, request events and graceful shutdown for
 * Express 4 and 5, on top of `@tributary/core`.
 * @packageDocumentation
 */
export {
  analyticsMiddleware,
  type AdapterOptions,
  type AnalyticsMiddleware,
  type AnalyticsMiddlewareOptions,
} from './middleware.js';
export {
  RequestAnalytics,
  type AnalyticsClient,
  type AnonymousIdCookieOptions,
  type AnonymousIdOptions,
  type ContextFields,
  type ContextFields as ContextOptions,
} from '@tributary/core/adapter';
export {
  DEFAULT_REQUEST_EVENT,
  routeTemplate,
  type RequestRule,
  type TrackRequestsOptions,
} from './request-events.js';
export {
  analyticsErrorHandler,
  DEFAULT_ERROR_EVENT,
  type ErrorHandlerOptions,
} from './error-handler.js';
export {
  registerShutdown,
  DEFAULT_SHUTDOWN_TIMEOUT,
  type ClosableClient,
  type ClosableServer,
  type ShutdownOptions,
} from '@tributary/core/adapter';
