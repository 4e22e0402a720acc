import type { AnyAnalytics } from './options.js';
import { Logger } from '@nestjs/common';
import type { Id, Properties } from '@tributary/core';
import type { TrackWhen } from './track.decorator.js';

/** What a `@TrackMethod()` callback can read about the call. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a decorator cannot infer the handler's result type; callbacks read it without a cast unless a type argument is given.
export interface TrackMethodInput<TResult = any> {
  /** The method's arguments. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the decorated method's own parameters, unknown to the decorator.
  args: any[];
  /** The return value (awaited when it is a promise); `undefined` on error. */
  result: TResult | undefined;
  /** What the method threw or rejected with. */
  error: unknown;
}

/** Options of {@link TrackMethod}. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a decorator cannot infer the handler's result type; callbacks read it without a cast unless a type argument is given.
export interface TrackMethodOptions<TResult = any> {
  /** The event's properties, fixed or computed from the call. Defaults to none. */
  properties?: Properties | ((input: TrackMethodInput<TResult>) => Properties | undefined);
  /** The user the event is about. Defaults to the current request's user, if any. */
  userId?: (input: TrackMethodInput<TResult>) => Id | null | undefined;
  /** Fire after the method returned (or resolved), threw (or rejected), or either. Defaults to `'success'`. */
  when?: TrackWhen;
}

const CLIENT = Symbol.for('tributary.nestjs.trackMethodClient');
type GlobalWithClient = typeof globalThis & { [CLIENT]?: AnyAnalytics };
const logger = new Logger('Analytics');

/**
 * Makes `client` the one `@TrackMethod()` sends through. Called by the modules when they create
 * their client; kept on a global symbol so the ESM and CJS builds share it.
 */
export function setTrackMethodClient(
  client: AnyAnalytics | undefined,
  previous?: AnyAnalytics,
): void {
  const g = globalThis as GlobalWithClient;
  if (previous !== undefined && g[CLIENT] !== previous) return;
  g[CLIENT] = client;
}

/**
 * Tracks an event each time a provider method (sync or async) completes. Unlike `@Track()` it wraps
 * the method, because interceptors only see controller handlers; the wrapper keeps the method's name
 * and copies every reflect-metadata key, so it is also safe under `@Get()`, guards and the like.
 * Events go through the client of the most recently initialised `AnalyticsModule`, and inside a
 * request they carry that request's identity and context.
 *
 * @example
 * @Injectable()
 * export class CheckoutService {
 *   @TrackMethod('Order Completed', { properties: ({ result }) => ({ orderId: result.id, total: result.total }) })
 *   async checkout(cart: Cart): Promise<Order> { ... }
 * }
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a decorator cannot infer the handler's result type; callbacks read it without a cast unless a type argument is given.
export function TrackMethod<TResult = any>(
  event: string | ((input: TrackMethodInput<TResult>) => string),
  options: TrackMethodOptions<TResult> = {},
): MethodDecorator {
  return (_target, key, descriptor) => {
    const original = descriptor.value as unknown;
    if (typeof original !== 'function') {
      throw new TypeError(`@TrackMethod() decorates methods; ${String(key)} is not one`);
    }
    const fire = (outcome: 'success' | 'error', input: TrackMethodInput<TResult>): void => {
      const when = options.when ?? 'success';
      if (when !== 'always' && when !== outcome) return;
      const client = (globalThis as GlobalWithClient)[CLIENT];
      if (client === undefined) return;
      try {
        const properties =
          typeof options.properties === 'function' ? options.properties(input) : options.properties;
        const userId = options.userId?.(input) ?? undefined;
        const name = typeof event === 'function' ? event(input) : event;
        client.track({ event: name, properties, ...(userId === undefined ? {} : { userId }) });
      } catch (error) {
        logger.warn(`@TrackMethod() on ${String(key)} could not build its event: ${String(error)}`);
      }
    };
    const wrapped = function (this: unknown, ...args: unknown[]): unknown {
      let result: unknown;
      try {
        result = (original as (...a: unknown[]) => unknown).apply(this, args);
      } catch (error) {
        fire('error', { args, result: undefined, error });
        throw error;
      }
      if (isPromiseLike(result)) {
        return Promise.resolve(result).then(
          (value) => {
            fire('success', { args, result: value as TResult, error: undefined });
            return value;
          },
          (error: unknown) => {
            fire('error', { args, result: undefined, error });
            throw error;
          },
        );
      }
      fire('success', { args, result: result as TResult, error: undefined });
      return result;
    };
    copyIdentity(original, wrapped);
    descriptor.value = wrapped as typeof descriptor.value;
    return descriptor;
  };
}

/**
 * Gives the wrapper the original's name and metadata: replacing a method without this silently
 * drops Nest's route and guard metadata (getsentry/sentry-javascript#14384, nestjs/nest#1180).
 */
function copyIdentity(from: object, to: object): void {
  Object.defineProperty(to, 'name', { value: (from as { name: string }).name, configurable: true });
  for (const metadataKey of Reflect.getMetadataKeys(from) as unknown[]) {
    Reflect.defineMetadata(metadataKey, Reflect.getMetadata(metadataKey, from), to);
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
