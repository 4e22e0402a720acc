import type { AnyAnalytics } from './options.js';
import {
  ConfigurableModuleBuilder,
  Inject,
  Logger,
  Module,
  type ConfigurableModuleAsyncOptions,
  type ConfigurableModuleOptionsFactory,
  type DynamicModule,
  type NestModule,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, ModulesContainer, Reflector } from '@nestjs/core';
import { AnalyticsExceptionFilter } from './analytics-exception.filter.js';
import { AnalyticsService } from './analytics.service.js';
import { handlerContextGuard } from './handler-context.guard.js';
import { hasNonHttpHandlers } from './handler-transports.js';
import { globalInterceptor, RequestScopeHook } from './request-scope-hook.js';
import {
  createAnalyticsClient,
  DEFAULT_SHUTDOWN_TIMEOUT,
  isOwnClient,
  type AnalyticsModuleOptions,
} from './options.js';
import { ANALYTICS_CLIENT, ANALYTICS_MODULE_OPTIONS, NON_HTTP_HANDLERS } from './tokens.js';
import { setTrackMethodClient } from './track-method.decorator.js';

/** Module-definition extras of `forRoot`/`forRootAsync`. */
export interface AnalyticsModuleExtras {
  /** Register the module globally, so every module can inject `AnalyticsService`. Defaults to `true`. */
  isGlobal?: boolean;
}

/** What a `useClass`/`useExisting` options factory implements. */
export type AnalyticsOptionsFactory = ConfigurableModuleOptionsFactory<
  AnalyticsModuleOptions,
  'createAnalyticsOptions'
>;

/** Options of `AnalyticsModule.forRootAsync()`. */
export type AnalyticsModuleAsyncOptions = ConfigurableModuleAsyncOptions<
  AnalyticsModuleOptions,
  'createAnalyticsOptions'
> &
  AnalyticsModuleExtras;

/** The providers both the real and the testing module register, given a client provider. */
export function analyticsProviders(client: Provider): Provider[] {
  return [
    client,
    AnalyticsService,
    { provide: NON_HTTP_HANDLERS, useFactory: hasNonHttpHandlers, inject: [ModulesContainer] },
    RequestScopeHook,
    {
      provide: APP_INTERCEPTOR,
      useFactory: globalInterceptor,
      inject: [NON_HTTP_HANDLERS, Reflector, ANALYTICS_CLIENT, ANALYTICS_MODULE_OPTIONS],
    },
    {
      provide: APP_GUARD,
      useFactory: handlerContextGuard,
      inject: [NON_HTTP_HANDLERS, ANALYTICS_MODULE_OPTIONS],
    },
    { provide: APP_FILTER, useClass: AnalyticsExceptionFilter },
  ];
}

const { ConfigurableModuleClass } = new ConfigurableModuleBuilder<AnalyticsModuleOptions>({
  optionsInjectionToken: ANALYTICS_MODULE_OPTIONS,
})
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createAnalyticsOptions')
  // Without setExtras, `isGlobal` would be silently ignored (and leak into the client options).
  .setExtras<AnalyticsModuleExtras>({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
    providers: [
      ...(definition.providers ?? []),
      ...analyticsProviders({
        provide: ANALYTICS_CLIENT,
        useFactory: (options: AnalyticsModuleOptions) => createAnalyticsClient(options),
        inject: [ANALYTICS_MODULE_OPTIONS],
      }),
    ],
    exports: [ANALYTICS_CLIENT, ANALYTICS_MODULE_OPTIONS, AnalyticsService],
  }))
  .build();

/**
 * Tributary analytics for Nest: configures one client through DI, provides `AnalyticsService` and
 * the raw client (`ANALYTICS_CLIENT`), enters each request's scope (in the platform in an
 * HTTP-only app, with a global interceptor in an app with GraphQL, gateway or microservice
 * handlers), and delivers what is queued when the application shuts down.
 *
 * Options are checked when the module initializes; bad ones stop the app with one error listing
 * each problem. On shutdown (`app.close()`, or a signal after `app.enableShutdownHooks()`) the
 * client is flushed and closed within `shutdownTimeout`. As a global module (the default) this
 * runs after every other module's shutdown hooks, so events they send while stopping are delivered.
 *
 * @example
 * @Module({
 *   imports: [AnalyticsModule.forRoot({ writeKey: process.env.SEGMENT_WRITE_KEY })],
 * })
 * export class AppModule {}
 */
@Module({})
export class AnalyticsModule
  extends ConfigurableModuleClass
  implements NestModule, OnApplicationShutdown
{
  readonly #logger = new Logger('Analytics');

  constructor(
    @Inject(ANALYTICS_CLIENT) private readonly client: AnyAnalytics,
    @Inject(ANALYTICS_MODULE_OPTIONS) private readonly options: AnalyticsModuleOptions,
    @Inject(RequestScopeHook) private readonly requestScopeHook: RequestScopeHook,
  ) {
    super();
    // Here rather than in the client factory, so an overridden ANALYTICS_CLIENT is used too.
    setTrackMethodClient(client);
  }

  /** Enters each HTTP request's scope in the platform (see `RequestScopeHook`). */
  configure(): void {
    this.requestScopeHook.register();
  }

  /**
   * Configures the module with options known up front.
   * @example AnalyticsModule.forRoot({ writeKey: 'YOUR_WRITE_KEY', flushAt: 50 })
   */
  static override forRoot(options: AnalyticsModuleOptions & AnalyticsModuleExtras): DynamicModule {
    return super.forRoot(options);
  }

  /**
   * Configures the module from other providers (`useFactory` + `inject`, `useClass` or `useExisting`).
   * @example
   * AnalyticsModule.forRootAsync({
   *   imports: [ConfigModule],
   *   inject: [ConfigService],
   *   useFactory: (config: ConfigService) => ({ writeKey: config.getOrThrow('SEGMENT_WRITE_KEY') }),
   * })
   */
  static override forRootAsync(options: AnalyticsModuleAsyncOptions): DynamicModule {
    return super.forRootAsync(options);
  }

  /** Flushes, then closes the client the module created (a client passed as `client` is only flushed). */
  async onApplicationShutdown(): Promise<void> {
    const timeout = this.options.shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT;
    const own = isOwnClient(this.client);
    const report = own
      ? await this.client.close({ timeout })
      : await this.client.flush({ timeout });
    setTrackMethodClient(undefined, this.client);
    if (report.failed > 0 || report.pending > 0) {
      this.#logger.warn(
        `shutdown: ${report.delivered} event(s) delivered, ${report.failed} failed, ${report.pending} still pending after ${timeout} ms`,
      );
    }
  }
}
