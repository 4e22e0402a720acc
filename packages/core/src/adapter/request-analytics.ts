import type { Analytics, FlushOptions } from '../analytics.js';
import {
  CALL_IN_SCOPE,
  getCurrentScope,
  sameScope,
  type RequestScope,
} from '../context/request-scope.js';
import type { FlushReport } from '../delivery/delivery.js';
import type {
  AliasMessage,
  CallOptions,
  GroupMessage,
  Id,
  IdentifyMessage,
  MessageContext,
  PageMessage,
  Properties,
  ScreenMessage,
  TrackMessage,
} from '../messages/types.js';

type Method = 'identify' | 'track' | 'page' | 'screen' | 'group' | 'alias';

/**
 * The client calls a request-bound client makes: an `Analytics` instance (any tracking plan) or
 * core's module-wide default client fit.
 */
export type AnalyticsClient = Pick<Analytics, Method | 'withScope' | 'flush' | 'close'>;

/** Options of {@link RequestAnalytics}. */
export interface RequestAnalyticsOptions {
  /** Runs before each call, for example to schedule delivery after the response. Defaults to none. */
  onCall?: (() => void) | undefined;
}

/**
 * A client bound to one request, the same in every adapter. Missing `userId` and `anonymousId`
 * are filled from the request (the user lazily, at call time) and its context is merged under
 * each call's own; explicit values win, even when the call is made outside the request's async
 * scope. In the positional form pass `null` as the user id to use the request's. Every method
 * returns whether the call was accepted and never throws.
 *
 * @example
 * const analytics = new RequestAnalytics(client, createRequestScope(facts));
 * analytics.track({ event: 'Order Completed', properties: { total: 42 } });
 * analytics.alias({ userId: 'u1' }); // previousId: the request's anonymous id
 */
export class RequestAnalytics {
  /** The client the calls go to. */
  readonly client: AnalyticsClient;
  /** What this request contributes to each call; pass it to `client.withScope` for work outside the request. */
  readonly scope: RequestScope;
  readonly #onCall: (() => void) | undefined;

  constructor(client: AnalyticsClient, scope: RequestScope, options: RequestAnalyticsOptions = {}) {
    this.client = client;
    this.scope = scope;
    this.#onCall = options.onCall;
  }

  /** What this request contributes to each call's `context`. */
  get context(): MessageContext {
    return this.scope.context ?? {};
  }

  /** The request's anonymous id: analytics.js's cookie, a header, or one created for it. */
  get anonymousId(): string | undefined {
    return this.scope.anonymousId;
  }

  /** The request's user id, resolved now. */
  get userId(): Id | undefined {
    try {
      return this.scope.userId?.();
    } catch {
      return undefined;
    }
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
   * id, so `alias({ userId })` at sign-up joins the visitor's history to the user.
   */
  alias(message: Omit<AliasMessage, 'previousId'> & { previousId?: Id }): boolean;
  alias(previousId: Id | null, userId: Id, options?: CallOptions): boolean;
  alias(...args: unknown[]): boolean {
    const first = args[0];
    // Read only when needed: reading a lazy scope's anonymous id may mint one.
    if (isRecord(first) && args.length === 1) {
      const anonymousId = first.previousId == null ? this.scope.anonymousId : undefined;
      if (anonymousId !== undefined) args = [{ ...first, previousId: anonymousId }];
    } else if (first == null) {
      const anonymousId = this.scope.anonymousId;
      if (anonymousId !== undefined) args = [anonymousId, ...args.slice(1)];
    }
    return this.#call('alias', args);
  }

  /** Delivers everything accepted so far; see `Analytics.flush`. Never rejects. */
  flush(options?: FlushOptions): Promise<FlushReport> {
    return this.client.flush(options);
  }

  #call(method: Method, args: unknown[]): boolean {
    try {
      this.#onCall?.();
      const client = this.client as unknown as ScopedClient;
      const current = getCurrentScope();
      // Inside the request's own handler chain (or with async propagation off, outside any scope)
      // the scope goes straight to the client: entering it again per call would cost an
      // AsyncLocalStorage.run for nothing. A different current scope (withContext inside the
      // request) is entered so the two merge, as a module-level call would see them.
      if (current === undefined || sameScope(current, this.scope)) {
        if (typeof client[CALL_IN_SCOPE] === 'function')
          return client[CALL_IN_SCOPE](this.scope, method, args);
        if (current !== undefined) return client[method](...args);
      }
      return this.client.withScope(this.scope, () => client[method](...args));
    } catch {
      return false;
    }
  }
}

type ScopedClient = Record<Method, (...a: unknown[]) => boolean> & {
  [CALL_IN_SCOPE]?: (scope: RequestScope, method: Method, args: unknown[]) => boolean;
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
