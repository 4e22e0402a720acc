import { Inject } from '@nestjs/common';

/**
 * Injection token of the raw `Analytics` client the module created (or was given).
 * @example
 * constructor(@Inject(ANALYTICS_CLIENT) private readonly analytics: Analytics) {}
 */
export const ANALYTICS_CLIENT: unique symbol = Symbol.for('tributary.nestjs.ANALYTICS_CLIENT');

/** Injection token of the resolved {@link AnalyticsModuleOptions}. */
export const ANALYTICS_MODULE_OPTIONS = 'TRIBUTARY_ANALYTICS_MODULE_OPTIONS';

/** Reflect-metadata key under which `@Track()` stores its events. */
export const TRACK_METADATA = 'tributary:track';

/** Reflect-metadata key set by `@SkipTracking()`. */
export const SKIP_TRACKING_METADATA = 'tributary:skip-tracking';

/**
 * Parameter decorator for the raw client: shorthand for `@Inject(ANALYTICS_CLIENT)`.
 * @example
 * constructor(@InjectAnalyticsClient() private readonly analytics: Analytics) {}
 */
export function InjectAnalyticsClient(): PropertyDecorator & ParameterDecorator {
  return Inject(ANALYTICS_CLIENT);
}

/** Injection token: whether the app has GraphQL, gateway or microservice handlers (internal). */
export const NON_HTTP_HANDLERS = 'TRIBUTARY_ANALYTICS_NON_HTTP_HANDLERS';
