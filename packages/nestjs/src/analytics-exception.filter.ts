import { Catch, Inject, Logger, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { ExecutionContext } from '@nestjs/common';
import type { AnalyticsModuleOptions, AnalyticsRequest, AnyAnalytics } from './options.js';
import { recordError, watchRequest } from './request-events.js';
import { requestScope } from './request-scope.js';
import { ANALYTICS_CLIENT, ANALYTICS_MODULE_OPTIONS } from './tokens.js';

/**
 * Registered globally by `AnalyticsModule`: records a server error of an HTTP request as an event
 * (see `trackErrors`), wherever in Nest's pipeline it was thrown (guards and pipes included,
 * which run before any interceptor), then hands it to Nest's default handling. A filter of your
 * own that catches the error first takes precedence, as Nest picks one filter per error.
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
    if (host.getType() === 'http') {
      try {
        const http = host.switchToHttp();
        const request = http.getRequest<AnalyticsRequest>();
        const response: unknown = http.getResponse();
        // An ArgumentsHost is all the scope needs of an ExecutionContext (the resolvers' second argument).
        const scope = requestScope(
          request,
          response,
          host as ExecutionContext,
          this.options,
          this.#logger,
        );
        watchRequest(this.client, scope, request, response, this.options);
        recordError(this.client, scope, request, exception, this.options);
      } catch (error) {
        this.#logger.warn(`could not record the error: ${String(error)}`);
      }
    }
    super.catch(exception, host);
  }
}
