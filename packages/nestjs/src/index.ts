/**
 * `@tributary/nestjs`: a DI-native Tributary analytics module for NestJS 11 and 12, on Express
 * and Fastify.
 * @packageDocumentation
 */
export {
  AnalyticsModule,
  type AnalyticsModuleAsyncOptions,
  type AnalyticsModuleExtras,
  type AnalyticsOptionsFactory,
} from './analytics.module.js';
export { AnalyticsService, type AnalyticsCallOptions } from './analytics.service.js';
export { AnalyticsInterceptor } from './analytics.interceptor.js';
export type { GraphqlOperation } from './graphql-info.js';
export {
  Track,
  SkipTracking,
  type TrackInput,
  type TrackMetadata,
  type TrackOptions,
  type TrackWhen,
} from './track.decorator.js';
export {
  TrackMethod,
  type TrackMethodInput,
  type TrackMethodOptions,
} from './track-method.decorator.js';
export {
  AnalyticsTestingModule,
  getTestAnalytics,
  type AnalyticsTestingModuleOptions,
} from './analytics-testing.module.js';
export {
  DEFAULT_SHUTDOWN_TIMEOUT,
  type AnalyticsModuleOptions,
  type AnalyticsRequest,
  type AnyAnalytics,
  type AutomaticEventOptions,
  type RequestContextFields,
  type TrackErrorsOptions,
} from './options.js';
export {
  ANALYTICS_CLIENT,
  ANALYTICS_MODULE_OPTIONS,
  InjectAnalyticsClient,
  SKIP_TRACKING_METADATA,
  TRACK_METADATA,
} from './tokens.js';
export { AnalyticsExceptionFilter } from './analytics-exception.filter.js';
export type {
  AnonymousIdCookieOptions,
  AnonymousIdOptions,
  ContextFields,
} from '@tributary/core/adapter';
