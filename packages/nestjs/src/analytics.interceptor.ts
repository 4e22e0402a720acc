import {
  Inject,
  Injectable,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { runWithScope, toId, type RequestScope } from '@tributary/core/adapter';
import { Observable, tap } from 'rxjs';
import type { AnalyticsModuleOptions, AnalyticsRequest, AnyAnalytics } from './options.js';
import { executionScope } from './execution-scope.js';
import { watchRequest } from './request-events.js';
import { trackFacts } from './track-facts.js';
import {
  ANALYTICS_CLIENT,
  ANALYTICS_MODULE_OPTIONS,
  SKIP_TRACKING_METADATA,
  TRACK_METADATA,
} from './tokens.js';
import type { TrackInput, TrackMetadata } from './track.decorator.js';

/**
 * Registered globally by `AnalyticsModule`. Runs each handler inside a request scope (identity and
 * context for every call made while it runs, across `await`s), then fires its `@Track()` events.
 * Interceptors run after guards, so `request.user` is known. GraphQL resolvers get the scope of
 * the HTTP request that carried the operation; gateway and microservice handlers one per message.
 */
@Injectable()
export class AnalyticsInterceptor implements NestInterceptor {
  readonly #logger = new Logger('Analytics');

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(ANALYTICS_CLIENT) private readonly client: AnyAnalytics,
    @Inject(ANALYTICS_MODULE_OPTIONS) private readonly options: AnalyticsModuleOptions,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    let scope: RequestScope | undefined;
    let tracks: TrackMetadata[] = [];
    let request: AnalyticsRequest | undefined;
    try {
      const targets = [context.getHandler(), context.getClass()];
      if (
        this.reflector.getAllAndOverride<boolean | undefined>(SKIP_TRACKING_METADATA, targets) ===
        true
      ) {
        return next.handle();
      }
      tracks =
        this.reflector.get<TrackMetadata[] | undefined>(TRACK_METADATA, context.getHandler()) ?? [];
      // #22: HTTP, GraphQL, WebSocket and microservice handlers all get a request scope.
      const execution = executionScope(context, this.options, this.#logger);
      if (execution !== undefined) {
        ({ request, scope } = execution);
        // HTTP and GraphQL: one request event per HTTP request, however many resolvers ran.
        if (execution.response !== undefined) {
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
    // Subscribing inside runWithScope runs the handler itself inside the AsyncLocalStorage context.
    return new Observable((subscriber) =>
      runWithScope(scope ?? {}, () => {
        const source = next.handle();
        return (
          tracks.length === 0
            ? source
            : source.pipe(this.#fireAfter(tracks, context, request, scope))
        ).subscribe(subscriber);
      }),
    );
  }

  #fireAfter(
    tracks: TrackMetadata[],
    context: ExecutionContext,
    request: AnalyticsRequest | undefined,
    scope: RequestScope | undefined,
  ) {
    let fired = false;
    const fire = (outcome: 'success' | 'error', result: unknown, error: unknown): void => {
      if (fired) return;
      fired = true;
      try {
        const input: TrackInput = { ...trackFacts(context, request), result, error };
        runWithScope(scope ?? {}, () => {
          for (const track of tracks) this.#track(track, outcome, input);
        });
      } catch (thrown) {
        // Analytics must never turn a handled request into a failed one.
        this.#logger.warn(`@Track() could not read the handler's outcome: ${String(thrown)}`);
      }
    };
    return tap<unknown>({
      next: (result) => fire('success', result, undefined),
      complete: () => fire('success', undefined, undefined),
      error: (error: unknown) => fire('error', undefined, error),
    });
  }

  #track(track: TrackMetadata, outcome: 'success' | 'error', input: TrackInput): void {
    const when = track.when ?? 'success';
    if (when !== 'always' && when !== outcome) return;
    try {
      const event = typeof track.event === 'function' ? track.event(input) : track.event;
      const properties =
        typeof track.properties === 'function' ? track.properties(input) : track.properties;
      const userId = toId(track.userId?.(input));
      this.client.track({ event, properties, ...(userId === undefined ? {} : { userId }) });
    } catch (error) {
      this.#logger.warn(`@Track() could not build its event: ${String(error)}`);
    }
  }
}
