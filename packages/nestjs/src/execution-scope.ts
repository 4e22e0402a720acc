import type { ExecutionContext, LoggerService } from '@nestjs/common';
import type { RequestScope } from '@tributary/core';
import { executionRequest } from './execution-request.js';
import type { AnalyticsModuleSettings, AnalyticsRequest } from './options.js';
import { requestScope } from './request-scope.js';

/** The request facts of a handler call and the scope built from them. */
export interface ExecutionScope {
  request: AnalyticsRequest;
  scope: RequestScope;
}

/**
 * One scope per HTTP request: every resolver of a GraphQL request (root fields, field resolvers,
 * each operation of a batch) shares it, and so shares its request id and anonymous id.
 */
const scopes = new WeakMap<object, RequestScope>();

/**
 * The request scope of any handler call: HTTP, GraphQL, WebSocket or microservice. Gateways and
 * microservices get a scope per message, without page or route (a socket or a queue is not a page).
 */
export function executionScope(
  context: ExecutionContext,
  options: AnalyticsModuleSettings,
  logger: Pick<LoggerService, 'warn'>,
): ExecutionScope | undefined {
  const request = executionRequest(context);
  if (request === undefined) return undefined;
  const type = context.getType<string>();
  if (type === 'ws' || type === 'rpc') {
    return { request, scope: requestScope(request, context, withoutPage(options), logger) };
  }
  let scope = scopes.get(request);
  if (scope === undefined) {
    scope = requestScope(request, context, options, logger);
    scopes.set(request, scope);
  }
  return { request, scope };
}

function withoutPage(options: AnalyticsModuleSettings): AnalyticsModuleSettings {
  if (options.context === false) return options;
  return { ...options, context: { ...options.context, page: false, route: false } };
}
