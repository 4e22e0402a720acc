import { applyDecorators, SetMetadata, UseGuards, UseInterceptors } from '@nestjs/common';
import type { Id, Properties } from '@tributary/core';
import type { GraphqlOperation } from './graphql-info.js';
import { SKIP_TRACKING_GUARD } from './skip-tracking.guard.js';
import { SKIP_TRACKING_METADATA, TRACK_METADATA } from './tokens.js';
import { TRACK_INTERCEPTOR } from './track.interceptor.js';

// Nest's own key for `@UseInterceptors()`.
const INTERCEPTORS_METADATA = '__interceptors__';

/** What a `@Track()` callback can read about the handled request. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a decorator cannot infer the handler's result type; callbacks read it without a cast unless a type argument is given.
export interface TrackInput<TResult = any> {
  /** The handler's return value (after its promise or observable resolved); `undefined` on error. */
  result: TResult | undefined;
  /** What the handler threw, when `when` is `'error'` or `'always'`. */
  error: unknown;
  /** Route parameters (`/products/:id` → `{ id }`). Empty outside HTTP controllers. */
  params: Record<string, string>;
  /** Parsed query string. Empty outside HTTP controllers. */
  query: Record<string, unknown>;
  /**
   * The parsed request body; for a GraphQL resolver, its arguments; for a gateway or microservice
   * handler, the message data.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Nest's request body is untyped until a DTO is applied; callbacks read it as their own shape.
  body: any;
  /**
   * `request.user`, as set by an authentication guard (under GraphQL, on the HTTP request); for a
   * gateway, `socket.data.user` or `socket.user`.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Passport's `request.user` is untyped; callbacks read it as their own shape.
  user: any;
  /**
   * The platform request (Express or Fastify); for a GraphQL resolver, the HTTP request that
   * carried the operation; `undefined` for gateways and microservices.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Express's Request or Fastify's FastifyRequest, whichever platform runs.
  request: any;
  /** The handler's raw arguments (`ExecutionContext.getArgs()`). */
  args: unknown[];
  /** For a GraphQL resolver: the operation's name and type, the field and its arguments. */
  graphql?: GraphqlOperation | undefined;
}

/** When a `@Track()` event fires. */
export type TrackWhen = 'success' | 'error' | 'always';

/** Options of {@link Track}. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a decorator cannot infer the handler's result type; callbacks read it without a cast unless a type argument is given.
export interface TrackOptions<TResult = any> {
  /** The event's properties, fixed or computed from the request and result. Defaults to none. */
  properties?: Properties | ((input: TrackInput<TResult>) => Properties | undefined);
  /**
   * The user the event is about, when the request scope does not know it yet (a sign-up returns
   * the new id). Defaults to the module's `resolveUser`.
   */
  userId?: (input: TrackInput<TResult>) => Id | null | undefined;
  /** Fire after the handler succeeded, threw, or either. Defaults to `'success'`. */
  when?: TrackWhen;
}

/** One `@Track()` as stored in metadata. */
export interface TrackMetadata extends TrackOptions {
  event: string | ((input: TrackInput) => string);
}

/**
 * Tracks an event after a controller handler runs. Metadata only: the handler is not wrapped, so
 * routes, guards, pipes and Swagger keep working. `AnalyticsModule`'s interceptor fires the event
 * with the request's identity and context. Stackable: several `@Track()`s fire in source order.
 *
 * @example
 * @Post(':id/cart')
 * @Track('Product Added', { properties: ({ params, body }) => ({ productId: params.id, quantity: body.quantity }) })
 * addToCart(@Param('id') id: string, @Body() body: AddToCartDto) { ... }
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a decorator cannot infer the handler's result type; callbacks read it without a cast unless a type argument is given.
export function Track<TResult = any>(
  event: string | ((input: TrackInput<TResult>) => string),
  options: TrackOptions<TResult> = {},
): MethodDecorator {
  const entry = { ...options, event };
  return (_target, _key, descriptor) => {
    const handler = descriptor.value as object;
    const existing =
      (Reflect.getMetadata(TRACK_METADATA, handler) as TrackMetadata[] | undefined) ?? [];
    // Decorators apply bottom-up; prepend so events fire in the order they are written.
    Reflect.defineMetadata(TRACK_METADATA, [entry, ...existing], handler);
    // Only a handler with `@Track()` gets an interceptor (once, however many it has), so Nest
    // runs its interceptor pipeline for these handlers only.
    const interceptors = Reflect.getMetadata(INTERCEPTORS_METADATA, handler) as
      unknown[] | undefined;
    if (interceptors?.includes(TRACK_INTERCEPTOR) !== true) {
      UseInterceptors(TRACK_INTERCEPTOR)(_target, _key, descriptor);
    }
    return descriptor;
  };
}

/**
 * Opts a controller or one handler out of analytics: no request scope and no `@Track()` events.
 * @example
 * @SkipTracking()
 * @Controller('health')
 * export class HealthController {}
 */
export function SkipTracking(): MethodDecorator & ClassDecorator {
  // The guard leaves the scope the module entered before Nest chose the handler.
  return applyDecorators(SetMetadata(SKIP_TRACKING_METADATA, true), UseGuards(SKIP_TRACKING_GUARD));
}
