import type { MessageContext } from '../messages/types.js';

/**
 * What a request contributes to every call made while it is handled: context fields and identity.
 * Explicit per-call values always win.
 */
export interface RequestScope {
  /** Merged under each message's own `context`. */
  context?: MessageContext | undefined;
  /** Evaluated lazily, at call time, so an auth step that runs later still counts. */
  userId?: (() => string | number | undefined) | undefined;
  /** The browser's anonymous id (`ajs_anonymous_id`) or one the adapter chose. */
  anonymousId?: string | undefined;
}

/** The minimal AsyncLocalStorage shape, available on Node, Vercel Edge, Cloudflare and Deno. */
export interface ScopeStorage {
  run<R>(scope: RequestScope, fn: () => R): R;
  getStore(): RequestScope | undefined;
}

const STORE = Symbol.for('tributary.requestScopeStorage');

type GlobalWithStore = typeof globalThis & { [STORE]?: ScopeStorage };

/**
 * Installs the storage once per process. Shared through a global symbol so duplicate copies of
 * the package (separate Next.js bundles, a second install) see the same request scope.
 */
export function installScopeStorage(create: () => ScopeStorage): void {
  const g = globalThis as GlobalWithStore;
  g[STORE] ??= create();
}

/**
 * Runs `fn` with `scope` as the current request scope: every Tributary call made inside, by any
 * client, is filled from it. Scopes nest; an inner scope's context is merged over the outer one.
 */
export function runWithScope<R>(scope: RequestScope, fn: () => R): R {
  const storage = (globalThis as GlobalWithStore)[STORE];
  if (storage === undefined) return fn();
  const outer = storage.getStore();
  return storage.run(outer === undefined ? scope : mergeScopes(outer, scope), fn);
}

/** The request scope of the current async context, if any. */
export function getCurrentScope(): RequestScope | undefined {
  return (globalThis as GlobalWithStore)[STORE]?.getStore();
}

function mergeScopes(outer: RequestScope, inner: RequestScope): RequestScope {
  const merged: RequestScope = { ...outer, ...stripUndefined(inner) };
  if (outer.context !== undefined && inner.context !== undefined) {
    merged.context = { ...outer.context, ...inner.context };
  }
  return merged;
}

function stripUndefined(scope: RequestScope): RequestScope {
  const out: RequestScope = {};
  if (scope.context !== undefined) out.context = scope.context;
  if (scope.userId !== undefined) out.userId = scope.userId;
  if (scope.anonymousId !== undefined) out.anonymousId = scope.anonymousId;
  return out;
}

/** Fallback for runtimes without AsyncLocalStorage: correct for synchronous code only. */
export function createSyncScopeStorage(): ScopeStorage {
  let current: RequestScope | undefined;
  return {
    run(scope, fn) {
      const previous = current;
      current = scope;
      try {
        return fn();
      } finally {
        current = previous;
      }
    },
    getStore: () => current,
  };
}
