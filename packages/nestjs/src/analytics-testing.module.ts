import type { AnyAnalytics } from './options.js';
import { Inject, Module, type DynamicModule, type NestModule } from '@nestjs/common';
import {
  createTestAnalytics,
  type TestAnalytics,
  type TestAnalyticsOptions,
} from '@tributary/core/testing';
import { analyticsProviders, type AnalyticsModuleExtras } from './analytics.module.js';
import { AnalyticsService } from './analytics.service.js';
import { RequestScopeHook } from './request-scope-hook.js';
import type { AnalyticsModuleOptions } from './options.js';
import { ANALYTICS_CLIENT, ANALYTICS_MODULE_OPTIONS } from './tokens.js';
import { setTrackMethodClient } from './track-method.decorator.js';

/** Options of `AnalyticsTestingModule.forRoot()`: how requests are read, plus test-client options. */
export interface AnalyticsTestingModuleOptions
  extends
    Pick<
      AnalyticsModuleOptions,
      | 'context'
      | 'resolveUser'
      | 'resolveAnonymousId'
      | 'anonymousId'
      | 'trackRequests'
      | 'trackErrors'
    >,
    AnalyticsModuleExtras {
  /** Options of the recording client (`createTestAnalytics`). Defaults to none. */
  client?: TestAnalyticsOptions;
}

/**
 * A drop-in for `AnalyticsModule` in your tests: the same tokens, `AnalyticsService` and interceptor,
 * backed by `@tributary/core/testing`'s recording client, so nothing is sent and everything tracked
 * can be asserted on. Global by default.
 *
 * @example
 * const moduleRef = await Test.createTestingModule({
 *   imports: [AnalyticsTestingModule.forRoot(), CartModule],
 * }).compile();
 * const app = await moduleRef.createNestApplication().init();
 * await request(app.getHttpServer()).post('/cart').send({ productId: 'p1' });
 * getTestAnalytics(app).expectTracked('Product Added', { productId: 'p1' });
 */
@Module({})
export class AnalyticsTestingModule implements NestModule {
  constructor(
    @Inject(ANALYTICS_CLIENT) client: AnyAnalytics,
    @Inject(RequestScopeHook) private readonly requestScopeHook: RequestScopeHook,
  ) {
    setTrackMethodClient(client);
  }

  /** Enters each HTTP request's scope in the platform, as `AnalyticsModule` does. */
  configure(): void {
    this.requestScopeHook.register();
  }

  /** A testing module; see the class documentation. */
  static forRoot(options: AnalyticsTestingModuleOptions = {}): DynamicModule {
    const { client: clientOptions, isGlobal = true, ...moduleOptions } = options;
    return {
      module: AnalyticsTestingModule,
      global: isGlobal,
      providers: [
        { provide: ANALYTICS_MODULE_OPTIONS, useValue: moduleOptions },
        ...analyticsProviders({
          provide: ANALYTICS_CLIENT,
          useFactory: () => createTestAnalytics(clientOptions),
        }),
      ],
      exports: [ANALYTICS_CLIENT, ANALYTICS_MODULE_OPTIONS, AnalyticsService],
    };
  }
}

/**
 * The recording client of an app or module built with `AnalyticsTestingModule`, with `messages`,
 * `tracked(event)`, `expectTracked(event, properties)` and `reset()`.
 * @example getTestAnalytics(app).expectTracked('Signed Up', { plan: 'free' })
 */
export function getTestAnalytics(ref: {
  get(token: symbol, options?: { strict: boolean }): unknown;
}): TestAnalytics {
  return ref.get(ANALYTICS_CLIENT, { strict: false }) as TestAnalytics;
}
