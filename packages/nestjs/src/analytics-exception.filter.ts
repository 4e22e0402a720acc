import { Catch, Inject, Logger, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { AnalyticsModuleOptions, AnyAnalytics } from './options.js';
import { executionScope } from './execution-scope.js';
import { graphqlOperation } from './graphql-info.js';
import { recordError, watchRequest } from './request-events.js';
import { ANALYTICS_CLIENT, ANALYTICS_MODULE_OPTIONS } from './tokens.js';

/**
 * Registered globally by `AnalyticsModule`: records a server error of an HTTP request or a
 * GraphQL resolver as an event (see `trackErrors`), wherever in Nest's pipeline it was thrown
 * (guards and pipes included, which run before any interceptor), then hands it to Nest's default
 * handling for the transport. A filter of your own that catches the error first takes
 * precedence, as Nest picks one filter per error.
 */
@Catch()
export class AnalyticsExceptionFilter extends BaseExceptionFilter {
  readonly #logger = new Logger('Analytics');

  constructor(
    @Inject(ANALYTICS_CLIENT) private readonly client: AnyAnalytics,
    @Inject(ANALYTICS_MODULE_OPTIONS) private readonly options: AnalyticsModuleOptions,
  ) {
    super();
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    const type = host.getType<string>();
    if (type === 'http' || type === 'graphql') {
      try {
        const execution = executionScope(host, this.options, this.#logger);
        if (execution !== undefined) {
          const { request, response, scope } = execution;
          const graphql = type === 'graphql' ? graphqlOperation(host.getArgs()) : undefined;
          if (response !== undefined)
            watchRequest(this.client, scope, request, response, this.options, type === 'graphql');
          recordError(this.client, scope, request, exception, this.options, graphql);
        }
      } catch (error) {
        this.#logger.warn(`could not record the error: ${String(error)}`);
      }
    }
    // GraphQL and microservices answer errors their own way: returning nothing hands the error
    // back to Nest, which puts it in the GraphQL response's `errors` (or the RPC reply).
    if (type === 'http') super.catch(exception, host);
  }
}
