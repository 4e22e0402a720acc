import type { Properties } from '@tributary/core';
import type { ErrorRequestHandler, NextFunction, Request, Response } from 'express';
import { hasIdentity, type RequestAnalytics } from './request-analytics.js';
import { routeTemplate } from './request-events.js';

/** Options of {@link analyticsErrorHandler}. */
export interface ErrorHandlerOptions {
  /** The event name. Defaults to `'Server Error'`. */
  event?: string;
  /**
   * Which errors to record. Defaults to errors without a status or with a status of 500 or more,
   * so expected client errors (a 404 passed to `next`) are not recorded.
   */
  shouldRecord?: (error: unknown, req: Request) => boolean;
  /**
   * The event's properties. Defaults to `name`, `message` (at most 200 characters), `status`,
   * `method` and `route` (the template).
   */
  properties?: (error: unknown, req: Request) => Properties;
}

/** The default name of error events. */
export const DEFAULT_ERROR_EVENT = 'Server Error';

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
  const properties = options.properties ?? defaultProperties;
  return (error: unknown, req: Request, _res: Response, next: NextFunction): void => {
    try {
      // Structural, not instanceof: an app may load this package both as ESM and as CJS.
      const analytics = req.analytics as RequestAnalytics | undefined;
      if (
        analytics?.scope !== undefined &&
        hasIdentity(analytics.scope) &&
        shouldRecord(error, req)
      ) {
        analytics.track({
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

function statusOf(error: unknown): number | undefined {
  const { status, statusCode } = (error ?? {}) as { status?: unknown; statusCode?: unknown };
  const value = status ?? statusCode;
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

function isServerError(error: unknown): boolean {
  const status = statusOf(error);
  return status === undefined || status >= 500;
}

function defaultProperties(error: unknown, req: Request): Properties {
  const { name, message } =
    error instanceof Error ? error : { name: typeof error, message: String(error) };
  return {
    name,
    message: message.slice(0, 200),
    status: statusOf(error) ?? 500,
    method: req.method,
    route: routeTemplate(req) ?? null,
  };
}
