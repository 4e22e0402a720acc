import {
  DEFAULT_REQUEST_EVENT,
  hasIdentity,
  requestEventProperties,
  type RequestScope,
} from '@tributary/core/adapter';
import type { Request, Response } from 'express';

/**
 * Which requests an automatic request event covers: a string is compared with the route template
 * (`'/products/:id'`), a RegExp is tested against the path (`/^\/admin\//`), a function decides.
 */
export type RequestRule = string | RegExp | ((req: Request, res: Response) => boolean);

/** Options of `trackRequests`. */
export interface TrackRequestsOptions {
  /** The event name. Defaults to `'Request Completed'`. */
  event?: string | undefined;
  /** Record only requests matching one of these rules. Defaults to every request. */
  include?: RequestRule[] | undefined;
  /** Never record requests matching one of these rules. Defaults to none. */
  exclude?: RequestRule[] | undefined;
}

export { DEFAULT_REQUEST_EVENT };

/**
 * Records a request event when the response has been handed off completely (aborted requests are
 * skipped), with `method`, `route` (the template, or `null` when no route matched), `status` and
 * `duration` in milliseconds. Requests with neither a user nor an anonymous id are skipped, since
 * Segment requires one.
 */
export function watchRequest(
  req: Request,
  res: Response,
  options: TrackRequestsOptions,
  scope: RequestScope,
): void {
  const start = performance.now();
  // The event is recorded after the response, too late for a cookie: a new visitor's id is
  // minted now, so it reaches the response while its headers can still take one.
  void scope.anonymousId;
  res.once('close', () => {
    try {
      if (!res.writableFinished || !hasIdentity(req.analytics.scope)) return;
      const route = routeTemplate(req);
      if (
        options.include !== undefined &&
        !options.include.some((rule) => matches(rule, route, req, res))
      )
        return;
      if (options.exclude?.some((rule) => matches(rule, route, req, res))) return;
      req.analytics.track({
        event: options.event ?? DEFAULT_REQUEST_EVENT,
        properties: requestEventProperties({
          method: req.method,
          route,
          status: res.statusCode,
          duration: performance.now() - start,
        }),
      });
    } catch {
      // A request event must never break the response it describes.
    }
  });
}

/**
 * The route template that handled the request: the mount path (`req.baseUrl`) plus the matched
 * route's path, e.g. `/api/products/:id`. `undefined` when no route matched (a 404, a static file).
 * A router mounted at a parameterised path contributes its concrete base URL, as Express keeps no
 * template for it.
 */
export function routeTemplate(req: Request): string | undefined {
  const path: unknown = (req.route as { path?: unknown } | undefined)?.path;
  if (path === undefined) return undefined;
  const template = Array.isArray(path) ? path.map(pathPart).join('|') : pathPart(path);
  const base = req.baseUrl ?? '';
  return base !== '' && template === '/' ? base : base + template;
}

// Express 4 also accepts a RegExp or an array of paths for a route.
function pathPart(path: unknown): string {
  return typeof path === 'string' ? path : path instanceof RegExp ? path.toString() : '';
}

function matches(
  rule: RequestRule,
  route: string | undefined,
  req: Request,
  res: Response,
): boolean {
  if (typeof rule === 'string') return rule === route;
  if (rule instanceof RegExp) {
    rule.lastIndex = 0; // a /g or /y rule would otherwise carry state from the previous request
    return rule.test(pathOf(req));
  }
  return rule(req, res);
}

function pathOf(req: Request): string {
  const url = req.originalUrl ?? req.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
