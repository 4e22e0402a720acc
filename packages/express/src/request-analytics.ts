import { getCurrentScope } from '@tributary/core';
import type {
  AliasMessage,
  Analytics,
  CallOptions,
  GroupMessage,
  Id,
  IdentifyMessage,
  PageMessage,
  Properties,
  RequestScope,
  ScreenMessage,
  TrackMessage,
} from '@tributary/core';

type Method = 'identify' | 'track' | 'page' | 'screen' | 'group' | 'alias';

/**
 * The client calls the adapter makes: an `Analytics` instance (any tracking plan) or core's
 * module-wide default client fit.
 */
export type AnalyticsClient = Pick<Analytics, Method | 'withScope' | 'flush' | 'close'>;

/**
 * `req.analytics`: the client's calls, bound to one request. Missing `userId` and `anonymousId`
 * are filled from the request (the user lazily, at call time) and its context is merged under each
 * call's own; explicit values win. In the positional form pass `null` as the user id to use the
 * request's. Like the client, every method returns whether the call was accepted and never throws.
 *
 * @example
 * app.post('/checkout', (req, res) => {
 *   req.analytics.track({ event: 'Order Completed', properties: { total: 42 } });
 *   res.sendStatus(201);
 * });
 */
export class RequestAnalytics {
  /** The client the calls go to. */
  readonly client: AnalyticsClient;
  /** What this request contributes to each call; pass it to `client.withScope` for work outside the request. */
  readonly scope: RequestScope;

  constructor(client: AnalyticsClient, scope: RequestScope) {
    this.client = client;
    this.scope = scope;
  }

  /** Records who the user is; see `Analytics.identify`. */
  identify(message: IdentifyMessage): boolean;
  identify(userId: Id | null, traits?: Properties, options?: CallOptions): boolean;
  identify(...args: unknown[]): boolean {
    return this.#call('identify', args);
  }

  /** Records an action; see `Analytics.track`. */
  track(message: TrackMessage): boolean;
  track(userId: Id | null, event: string, properties?: Properties, options?: CallOptions): boolean;
  track(...args: unknown[]): boolean {
    return this.#call('track', args);
  }

  /** Records a page view; see `Analytics.page`. */
  page(message: PageMessage): boolean;
  page(
    userId: Id | null,
    category?: string | null,
    name?: string | null,
    properties?: Properties,
    options?: CallOptions,
  ): boolean;
  page(...args: unknown[]): boolean {
    return this.#call('page', args);
  }

  /** Records a screen view; see `Analytics.screen`. */
  screen(message: ScreenMessage): boolean;
  screen(
    userId: Id | null,
    category?: string | null,
    name?: string | null,
    properties?: Properties,
    options?: CallOptions,
  ): boolean;
  screen(...args: unknown[]): boolean {
    return this.#call('screen', args);
  }

  /** Associates the user with a group; see `Analytics.group`. */
  group(message: GroupMessage): boolean;
  group(userId: Id | null, groupId: Id, traits?: Properties, options?: CallOptions): boolean;
  group(...args: unknown[]): boolean {
    return this.#call('group', args);
  }

  /**
   * Merges two identities; see `Analytics.alias`. `previousId` defaults to the request's anonymous
   * id, so `req.analytics.alias({ userId })` at sign-up joins the visitor's history to the user.
   */
  alias(message: Omit<AliasMessage, 'previousId'> & { previousId?: Id }): boolean;
  alias(previousId: Id | null, userId: Id, options?: CallOptions): boolean;
  alias(...args: unknown[]): boolean {
    const anonymousId = this.scope.anonymousId;
    const first = args[0];
    if (isRecord(first) && args.length === 1) {
      if (first.previousId == null && anonymousId !== undefined)
        args = [{ ...first, previousId: anonymousId }];
    } else if (first == null && anonymousId !== undefined) {
      args = [anonymousId, ...args.slice(1)];
    }
    return this.#call('alias', args);
  }

  #call(method: Method, args: unknown[]): boolean {
    try {
      const client = this.client as unknown as Record<Method, (...a: unknown[]) => boolean>;
      // Inside the request's own handler chain the scope is already current: entering it again
      // per call would cost an AsyncLocalStorage.run for nothing.
      if (getCurrentScope() === this.scope) return client[method](...args);
      return this.client.withScope(this.scope, () => client[method](...args));
    } catch {
      return false;
    }
  }
}

/** Whether a call made in `scope` would carry an identity; Segment rejects messages without one. */
export function hasIdentity(scope: RequestScope): boolean {
  return scope.anonymousId !== undefined || scope.userId?.() !== undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
