import type {
  Analytics,
  FlushOptions,
  FlushReport,
  Id,
  MessageContext,
  RequestScope,
} from '@tributary/core';

type Methods = 'identify' | 'track' | 'page' | 'screen' | 'group' | 'alias';

/**
 * The shared client bound to one request: every call gets the request's context, anonymous id
 * and user id (explicit per-call values win), even when made outside the handler's async scope.
 */
export interface RequestAnalytics extends Pick<Analytics, Methods> {
  /** The shared client. */
  readonly client: Analytics;
  /** What this request contributes to each call's `context`. */
  readonly context: MessageContext;
  /** The browser's `ajs_anonymous_id`, or the one the proxy seeded. */
  readonly anonymousId: string | undefined;
  /** The user id from `resolveUser` (or `getAnalytics({ userId })`). */
  readonly userId: Id | undefined;
  /** Delivers everything queued so far; see `Analytics.flush`. */
  flush(options?: FlushOptions): Promise<FlushReport>;
}

/** Binds `client` to `scope`; `onCall` runs before each call (to schedule delivery). */
export function createRequestAnalytics(
  client: Analytics,
  scope: RequestScope,
  runWithScope: <R>(scope: RequestScope, fn: () => R) => R,
  onCall: () => void = () => undefined,
): RequestAnalytics {
  const bind =
    (method: Methods) =>
    (...args: unknown[]): boolean => {
      onCall();
      return runWithScope(scope, () => (client[method] as (...a: unknown[]) => boolean)(...args));
    };
  return {
    client,
    context: scope.context ?? {},
    anonymousId: scope.anonymousId,
    get userId() {
      return scope.userId?.();
    },
    identify: bind('identify'),
    track: bind('track'),
    page: bind('page'),
    screen: bind('screen'),
    group: bind('group'),
    alias: bind('alias'),
    flush: (options) => client.flush(options),
  };
}
