import { Analytics, type AnalyticsOptions } from '@tributary/core';
import {
  createRequestScope,
  RequestAnalytics,
  runWithScope,
  type AnalyticsClient,
  type AnonymousIdOptions,
  type ContextFields,
  type RequestScope,
  type RequestScopeOptions,
} from '@tributary/core/adapter';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ExpressRequestFacts } from './request-facts.js';
import { watchRequest, type TrackRequestsOptions } from './request-events.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express's own augmentation point.
  namespace Express {
    interface Request {
      /** The request-bound analytics client, set by `analyticsMiddleware()`. */
      analytics: RequestAnalytics;
    }
  }
}

/** The adapter's own options, next to the client's. */
export interface AdapterOptions {
  /** Request facts to add to `context`; `false` adds none. Defaults to all of them. */
  context?: boolean | ContextFields | undefined;
  /**
   * The signed-in user's id, called at each call, so auth middleware mounted after this one still
   * counts. Defaults to `req.user?.id`.
   */
  resolveUser?: ((req: Request) => string | number | null | undefined) | undefined;
  /**
   * Where to find the anonymous id, and whether to create one (stored in analytics.js's
   * `ajs_anonymous_id` cookie) for a visitor without one. Defaults to `{ cookie: true, mint: {} }`.
   */
  anonymousId?: AnonymousIdOptions | undefined;
  /** Record one event per completed request (method, route template, status, duration). Defaults to `false`. */
  trackRequests?: boolean | TrackRequestsOptions | undefined;
  /**
   * Run the rest of the request inside its scope (one `AsyncLocalStorage.run` per request), so a
   * call made anywhere while it is handled (a module-level `analytics.track` in a service, after
   * an `await`) carries the request's user, anonymous id and context. `false` skips that: only
   * `req.analytics` calls carry the request, for a few µs less per request on Express 5. Defaults
   * to `true`.
   */
  asyncContext?: boolean | undefined;
}

/** Options of {@link analyticsMiddleware}: an existing `client`, or options to create one. */
export type AnalyticsMiddlewareOptions<TClient extends AnalyticsClient = Analytics> =
  AdapterOptions & ({ client: TClient } | (AnalyticsOptions & { client?: undefined }));

/** The middleware, carrying the client it sends to (to flush or close it). */
export type AnalyticsMiddleware<TClient extends AnalyticsClient = Analytics> = RequestHandler & {
  readonly client: TClient;
};

/**
 * Gives every request `req.analytics`, and runs the rest of the request inside its request scope,
 * so calls made anywhere while it is handled carry its user, anonymous id and context. The client
 * ip follows the app's `trust proxy` setting. Never throws into Express.
 *
 * @example
 * const analytics = analyticsMiddleware({ writeKey: process.env.SEGMENT_WRITE_KEY });
 * app.use(analytics);
 * app.post('/signup', (req, res) => {
 *   req.analytics.track({ userId: 'u1', event: 'Signed Up' });
 *   res.sendStatus(201);
 * });
 */
export function analyticsMiddleware<TClient extends AnalyticsClient = Analytics>(
  options: AnalyticsMiddlewareOptions<TClient>,
): AnalyticsMiddleware<TClient> {
  const {
    client: given,
    context = true,
    resolveUser = defaultUser,
    anonymousId = {},
    trackRequests = false,
    asyncContext = true,
    ...clientOptions
  } = options;
  const client = given ?? (new Analytics(clientOptions) as AnalyticsClient as TClient);
  const requests =
    trackRequests === false ? undefined : trackRequests === true ? {} : trackRequests;
  // One options object for every request: the request itself comes through the facts.
  const scopeOptions: RequestScopeOptions = {
    context,
    anonymousId,
    resolveUser: (facts) => resolveUser((facts as ExpressRequestFacts).request),
  };

  const middleware = (req: Request, res: Response, next: NextFunction): void => {
    let scope: RequestScope = EMPTY_SCOPE;
    try {
      scope = createRequestScope(new ExpressRequestFacts(req, res), scopeOptions);
      if (requests !== undefined) watchRequest(req, res, requests, scope);
    } catch {
      // Analytics must never fail a request: carry on without the request's facts.
    }
    req.analytics = new RequestAnalytics(client, scope);
    if (asyncContext) runWithScope(scope, next);
    else next();
  };
  return Object.assign(middleware, { client });
}

const EMPTY_SCOPE: RequestScope = Object.freeze({});

function defaultUser(req: Request): string | number | undefined {
  return (req as { user?: { id?: string | number } }).user?.id;
}
