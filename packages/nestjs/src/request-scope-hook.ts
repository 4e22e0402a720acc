import { Inject, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import { AnalyticsInterceptor } from './analytics.interceptor.js';
import type { AnalyticsModuleOptions, AnyAnalytics } from './options.js';
import { readsHandlerContext } from './handler-context.guard.js';
import { enterScopeInPlatform } from './platform-scope.js';
import { ANALYTICS_CLIENT, ANALYTICS_MODULE_OPTIONS, NON_HTTP_HANDLERS } from './tokens.js';

/**
 * Where the module enters each HTTP request's scope. In an app whose handlers are all HTTP
 * controllers, in the platform (Express middleware, Fastify `preHandler` hook), so handlers
 * without `@Track()` get no interceptor and Nest builds no rxjs pipeline for them. In an app with
 * GraphQL resolvers, gateways or microservice handlers, the global `AnalyticsInterceptor` enters
 * it for every handler, as those transports need (see `analyticsProviders`).
 */
@Injectable()
export class RequestScopeHook {
  readonly #logger = new Logger('Analytics');
  #registered = false;

  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(ANALYTICS_CLIENT) private readonly client: AnyAnalytics,
    @Inject(ANALYTICS_MODULE_OPTIONS) private readonly options: AnalyticsModuleOptions,
    @Inject(NON_HTTP_HANDLERS) private readonly nonHttpHandlers: boolean,
  ) {}

  /** Called from the module's `configure()`: before Nest registers its routes. */
  register(): void {
    if (this.nonHttpHandlers || this.#registered) return;
    this.#registered = true;
    const taken = enterScopeInPlatform(this.adapterHost, {
      client: this.client,
      options: this.options,
      interceptor: new AnalyticsInterceptor(this.reflector, this.client, this.options),
      logger: this.#logger,
      keepsContext: readsHandlerContext(this.options),
    });
    if (!taken) {
      this.#logger.warn(
        'the HTTP platform is neither Express nor Fastify: requests get no analytics context',
      );
    }
  }
}

/** The global interceptor: only in apps with handlers other than HTTP controllers. */
export function globalInterceptor(
  nonHttpHandlers: boolean,
  reflector: Reflector,
  client: AnyAnalytics,
  options: AnalyticsModuleOptions,
): AnalyticsInterceptor | null {
  // Nest skips a global enhancer whose factory returns nothing.
  return nonHttpHandlers ? new AnalyticsInterceptor(reflector, client, options) : null;
}
