import type { ArgumentsHost, ExecutionContext, LoggerService } from '@nestjs/common';
import type { AdapterRequestScope } from '@tributary/core/adapter';
import { executionRequest, executionResponse } from './execution-request.js';
import type { AnalyticsModuleSettings, AnalyticsRequest } from './options.js';
import { requestScope } from './request-scope.js';

/** The request facts of a handler call and the scope built from them. */
export interface ExecutionScope {
  request: AnalyticsRequest;
  /** The HTTP response (Express `Response`, Fastify `FastifyReply`); `undefined` for gateways and microservices. */
  response: unknown;
  scope: AdapterRequestScope;
}

/**
 * One scope per HTTP request, whichever of the interceptor and the exception filter asks first:
 * every resolver of a GraphQL request (root fields, field resolvers, each operation of a batch)
 * shares it, and so shares its request id and anonymous id. Kept on the request under a symbol
 * rather than in a WeakMap: a WeakMap entry per request is an ephemeron the garbage collector
 * has to trace on every cycle.
 */
const SCOPE = Symbol('tributary.requestScope');

type ScopedRequest = AnalyticsRequest & { [SCOPE]?: AdapterRequestScope };

/**
 * The request scope of any handler call: HTTP, GraphQL, WebSocket or microservice, built by the
 * kit from the facts {@link executionRequest} finds. Gateways and microservices get a scope per
 * message, without page or route (a socket or a queue is not a page).
 */
export function executionScope(
  host: ExecutionContext | ArgumentsHost,
  options: AnalyticsModuleSettings,
  logger: Pick<LoggerService, 'warn'>,
): ExecutionScope | undefined {
  // An ArgumentsHost is all the scope needs of an ExecutionContext (the resolvers' second argument).
  const context = host as ExecutionContext;
  const type = context.getType<string>();
  if (type === 'http') {
    // What switchToHttp() reads, without building its helper object on every request.
    const [request, response] = context.getArgs<[AnalyticsRequest | undefined, unknown]>();
    if (request === undefined) return undefined;
    return { request, response, scope: cachedScope(request, response, context, options, logger) };
  }
  const request = executionRequest(context);
  if (request === undefined) return undefined;
  if (type === 'ws' || type === 'rpc') {
    const scope = requestScope(request, undefined, context, withoutPage(options), logger);
    return { request, response: undefined, scope };
  }
  const response = executionResponse(context);
  return { request, response, scope: cachedScope(request, response, context, options, logger) };
}

/** The request's scope, built on first use and kept on the request (see {@link SCOPE}). */
export function cachedScope(
  request: AnalyticsRequest,
  response: unknown,
  context: ExecutionContext,
  options: AnalyticsModuleSettings,
  logger: Pick<LoggerService, 'warn'>,
): AdapterRequestScope {
  const scoped = request as ScopedRequest;
  const cached = scoped[SCOPE];
  if (cached !== undefined) return cached;
  const scope = requestScope(request, response, context, options, logger);
  try {
    // Not enumerable: a copy of the request (`{ ...req }`) is another request, with its own scope.
    Object.defineProperty(scoped, SCOPE, { value: scope });
  } catch {
    // A frozen request object: each hook builds its own scope rather than none.
  }
  return scope;
}

const withoutPageOptions = new WeakMap<AnalyticsModuleSettings, AnalyticsModuleSettings>();

// Built once per options object: every gateway or microservice message would otherwise copy them.
function withoutPage(options: AnalyticsModuleSettings): AnalyticsModuleSettings {
  if (options.context === false) return options;
  let settings = withoutPageOptions.get(options);
  if (settings === undefined) {
    settings = { ...options, context: { ...options.context, page: false, route: false } };
    withoutPageOptions.set(options, settings);
  }
  return settings;
}
