import type { Properties } from '@tributary/core';
import {
  DEFAULT_ERROR_EVENT,
  errorEventProperties,
  hasIdentity,
  isServerError,
  type RequestAnalytics,
} from '@tributary/core/adapter';
import type { ErrorRequestHandler, NextFunction, Request, Response } from 'express';
import { routeTemplate } from './request-events.js';

/** Options of {@link analyticsErrorHandler}. */
export interface ErrorHandlerOptions {
  /** The event name. Defaults to `'Server Error'`. */
  event?: string | undefined;
  /**
   * Which errors to record. Defaults to errors without a status or with a status of 500 or more,
   * so expected client errors (a 404 passed to `next`) are not recorded.
   */
  shouldRecord?: ((error: unknown, req: Request) => boolean) | undefined;
  /**
   * The event's properties. Defaults to `name`, `message` (at most 200 characters), `status`,
   * `method` and `route` (the template).
   */
  properties?: ((error: unknown, req: Request) => Properties) | undefined;
}

export { DEFAULT_ERROR_EVENT };

/**
 * An Express error middleware that records the error as an event through `req.analytics`, then
 * always passes it on with `next(err)`. Mount it after your routes and before your own error
 * handlers. Requests with neither a user nor an anonymous id are not recorded.
 *
 * @example
 * app.use(analyticsMiddleware({ client }));
 * app.use(routes);
 * app.use(analyticsErrorHandler());
 */
export function analyticsErrorHandler(options: ErrorHandlerOptions = {}): ErrorRequestHandler {
  const shouldRecord = options.shouldRecord ?? isServerError;
  const properties =
    options.properties ??
    ((error: unknown, req: Request) =>
      errorEventProperties(error, { method: req.method, route: routeTemplate(req) }));
  return (error: unknown, req: Request, _res: Response, next: NextFunction): void => {
    try {
      // Structural, not instanceof: an app may load this package both as ESM and as CJS.
      const analytics = req.analytics as RequestAnalytics | undefined;
      if (hasIdentity(analytics?.scope) && shouldRecord(error, req)) {
        analytics?.track({
          event: options.event ?? DEFAULT_ERROR_EVENT,
          properties: properties(error, req),
        });
      }
    } catch {
      // Recording is best effort; the error itself must reach the next handler untouched.
    }
    next(error);
  };
}
