import {
  DEFAULT_ERROR_EVENT,
  DEFAULT_REQUEST_EVENT,
  errorEventProperties,
  hasIdentity,
  isServerError,
  RequestAnalytics,
  requestEventProperties,
  type AnalyticsClient,
  type RequestScope,
} from '@tributary/core/adapter';
import type { GraphqlOperation } from './graphql-info.js';
import type { AnalyticsModuleSettings, AnalyticsRequest } from './options.js';
import { SKIPPED, type MarkedRequest } from './request-marks.js';
import { routeTemplate } from './request-scope.js';

// On the response rather than in a WeakSet, for the reason given in execution-scope.ts.
const WATCHED = Symbol('tributary.watched');

interface NodeResponseLike {
  [WATCHED]?: true;
  statusCode?: number;
  writableFinished?: boolean;
  once?: (event: 'close', listener: () => void) => unknown;
}

/**
 * Records one request event when the response has been handed off completely (Express's
 * `Response` or Fastify's `reply.raw`), once per request, whichever hook saw the request first.
 */
export function watchRequest(
  client: AnalyticsClient,
  scope: RequestScope,
  request: AnalyticsRequest,
  response: unknown,
  options: AnalyticsModuleSettings,
  graphql = false,
): void {
  if (options.trackRequests === undefined || options.trackRequests === false) return;
  const event = options.trackRequests === true ? undefined : options.trackRequests.event;
  const raw = ((response as { raw?: unknown } | undefined)?.raw ?? response) as
    NodeResponseLike | undefined;
  if (raw?.once === undefined || raw[WATCHED] === true) return;
  Object.defineProperty(raw, WATCHED, { value: true });
  const start = performance.now();
  raw.once('close', () => {
    try {
      if (raw.writableFinished !== true || (request as MarkedRequest)[SKIPPED] === true) return;
      if (!hasIdentity(scope)) return;
      new RequestAnalytics(client, scope).track({
        event: event ?? DEFAULT_REQUEST_EVENT,
        properties: requestEventProperties({
          method: String(request.method),
          route: eventRoute(request, graphql),
          status: raw.statusCode ?? 0,
          duration: performance.now() - start,
        }),
      });
    } catch {
      // A request event must never break the response it describes.
    }
  });
}

/**
 * Records a server error of an HTTP request or a GraphQL resolver as an event, as `trackErrors`
 * says. A resolver's error also names its operation and field.
 */
export function recordError(
  client: AnalyticsClient,
  scope: RequestScope,
  request: AnalyticsRequest,
  error: unknown,
  options: AnalyticsModuleSettings,
  graphql?: GraphqlOperation,
): void {
  const settings = options.trackErrors ?? true;
  if (settings === false) return;
  const { event, shouldRecord = isServerError, properties } = settings === true ? {} : settings;
  if (!hasIdentity(scope) || !shouldRecord(error)) return;
  new RequestAnalytics(client, scope).track({
    event: event ?? DEFAULT_ERROR_EVENT,
    properties: properties?.(error, request) ?? {
      ...errorEventProperties(error, {
        method: typeof request.method === 'string' ? request.method : undefined,
        route: eventRoute(request, graphql !== undefined),
      }),
      ...(graphql === undefined
        ? {}
        : {
            operation: graphql.operationName ?? null,
            field: `${graphql.parentType}.${graphql.fieldName}`,
          }),
    },
  });
}

/**
 * The route an automatic event names: the matched template; for GraphQL, the endpoint's path,
 * as Apollo's middleware matches no Express route while Mercurius's Fastify route does.
 */
function eventRoute(request: AnalyticsRequest, graphql: boolean): string | undefined {
  const route = routeTemplate(request);
  if (route !== undefined || !graphql) return route;
  const url = request.originalUrl ?? request.url;
  return typeof url === 'string' ? url.split('?')[0] : undefined;
}
