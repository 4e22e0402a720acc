import {
  Inject,
  Injectable,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { getCurrentScope, runWithScope, toId, type RequestScope } from '@tributary/core/adapter';
import { Observable, type Observer, type Subscriber } from 'rxjs';
import type { AnalyticsModuleOptions, AnalyticsRequest, AnyAnalytics } from './options.js';
import { executionScope } from './execution-scope.js';
import { watchRequest } from './request-events.js';
import { trackFacts } from './track-facts.js';
import { HandlerPlans } from './handler-plan.js';
import { ANALYTICS_CLIENT, ANALYTICS_MODULE_OPTIONS } from './tokens.js';
import type { TrackInput, TrackMetadata } from './track.decorator.js';

/**
 * Runs each handler inside a request scope (identity and context for every call made while it
 * runs, across `await`s), then fires its `@Track()` events. `AnalyticsModule` registers it
 * globally in apps with GraphQL resolvers, gateways or microservice handlers; in an HTTP-only app
 * the scope is entered in the platform and `@Track()`'s own interceptor hands its handlers here.
 * Interceptors run after guards, so `request.user` is known. GraphQL resolvers get the scope of
 * the HTTP request that carried the operation; gateway and microservice handlers one per message.
 */
@Injectable()
export class AnalyticsInterceptor implements NestInterceptor {
  readonly #logger = new Logger('Analytics');
  readonly #plans: HandlerPlans;
  readonly #watchesRequests: boolean;

  constructor(
    @Inject(Reflector) reflector: Reflector,
    @Inject(ANALYTICS_CLIENT) private readonly client: AnyAnalytics,
    @Inject(ANALYTICS_MODULE_OPTIONS) private readonly options: AnalyticsModuleOptions,
  ) {
    this.#plans = new HandlerPlans(reflector);
    const { trackRequests } = options;
    this.#watchesRequests = trackRequests !== undefined && trackRequests !== false;
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    let scope: RequestScope | undefined;
    let tracks: readonly TrackMetadata[] = [];
    let request: AnalyticsRequest | undefined;
    try {
      const plan = this.#plans.of(context);
      if (plan.skip) return next.handle();
      tracks = plan.tracks;
      // #22: HTTP, GraphQL, WebSocket and microservice handlers all get a request scope.
      const execution = executionScope(context, this.options, this.#logger);
      if (execution !== undefined) {
        ({ request, scope } = execution);
        // HTTP and GraphQL: one request event per HTTP request, however many resolvers ran.
        if (this.#watchesRequests && execution.response !== undefined) {
          const graphql = context.getType<string>() === 'graphql';
          watchRequest(this.client, scope, request, execution.response, this.options, graphql);
        }
      }
    } catch (error) {
      this.#logger.warn(
        `could not read the request; continuing without analytics context: ${String(error)}`,
      );
    }
    if (scope === undefined && tracks.length === 0) return next.handle();
    const entered = scope ?? {};
    // The platform hook entered the request's scope already (HTTP-only apps): entering it again
    // would cost a second AsyncLocalStorage entry for nothing.
    if (scope !== undefined && getCurrentScope() === scope) {
      if (tracks.length === 0) return next.handle();
      return new Observable((subscriber) =>
        next.handle().subscribe(this.#firingObserver(subscriber, tracks, context, request, scope)),
      );
    }
    // Subscribing inside runWithScope runs the handler itself inside the AsyncLocalStorage
    // context. One Observable and one observer per request: no operator pipeline, and none of
    // it for a handler without `@Track()`.
    return new Observable((subscriber) =>
      runWithScope(entered, () =>
        next
          .handle()
          .subscribe(
            tracks.length === 0
              ? subscriber
              : this.#firingObserver(subscriber, tracks, context, request, entered),
          ),
      ),
    );
  }

  /** Forwards to `subscriber`, firing the `@Track()`s first, once, on the first outcome. */
  #firingObserver(
    subscriber: Subscriber<unknown>,
    tracks: readonly TrackMetadata[],
    context: ExecutionContext,
    request: AnalyticsRequest | undefined,
    scope: RequestScope,
  ): Partial<Observer<unknown>> {
    let fired = false;
    const fire = (outcome: 'success' | 'error', result: unknown, error: unknown): void => {
      if (fired) return;
      fired = true;
      try {
        const input = trackFacts(context, request, result, error);
        const send = (): void => {
          for (const track of tracks) this.#track(track, outcome, input);
        };
        // The handler's outcome is normally delivered inside the scope already; entering it
        // again would copy it (and build its context) for nothing.
        if (getCurrentScope() === scope) send();
        else runWithScope(scope, send);
      } catch (thrown) {
        // Analytics must never turn a handled request into a failed one.
        this.#logger.warn(`@Track() could not read the handler's outcome: ${String(thrown)}`);
      }
    };
    return {
      next: (result) => {
        fire('success', result, undefined);
        subscriber.next(result);
      },
      error: (error: unknown) => {
        fire('error', undefined, error);
        subscriber.error(error);
      },
      complete: () => {
        fire('success', undefined, undefined);
        subscriber.complete();
      },
    };
  }

  #track(track: TrackMetadata, outcome: 'success' | 'error', input: TrackInput): void {
    const when = track.when ?? 'success';
    if (when !== 'always' && when !== outcome) return;
    try {
      const event = typeof track.event === 'function' ? track.event(input) : track.event;
      const properties =
        typeof track.properties === 'function' ? track.properties(input) : track.properties;
      const userId = toId(track.userId?.(input));
      this.client.track(
        userId === undefined ? { event, properties } : { event, properties, userId },
      );
    } catch (error) {
      this.#logger.warn(`@Track() could not build its event: ${String(error)}`);
    }
  }
}
