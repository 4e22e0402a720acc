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
  /** Node's and the edge's AsyncLocalStorage have it; the synchronous fallback does not. */
  enterWith?(scope: RequestScope | undefined): void;
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

/**
 * What an adapter learnt about a request before the framework ran (Next.js: the peer address,
 * from Node's HTTP server), kept on the scope it enters with {@link enterScope}; nested scopes
 * pass it on. Keyed by a global symbol, so copies of the package read each other's.
 */
export const ENTRY_FACTS: unique symbol = Symbol.for('tributary.entryFacts') as never;

/** A scope that may carry {@link ENTRY_FACTS}. */
export type ScopeWithEntryFacts = RequestScope & { readonly [ENTRY_FACTS]?: unknown };

/**
 * Makes `scope` the current request scope for the rest of the current synchronous execution and
 * everything it starts (AsyncLocalStorage `enterWith`), for an adapter hooked in before any
 * handler runs. Sharing the one storage matters on Node 20: every AsyncLocalStorage in use adds
 * work to every promise of the process. Returns `false` where the runtime cannot do it.
 */
export function enterScope(scope: RequestScope | undefined): boolean {
  const storage = (globalThis as GlobalWithStore)[STORE];
  if (storage?.enterWith === undefined) return false;
  storage.enterWith(scope);
  return true;
}

/** The entry facts of the current request scope (see {@link ENTRY_FACTS}), if any. */
export function currentEntryFacts(): unknown {
  const scope: ScopeWithEntryFacts | undefined = (globalThis as GlobalWithStore)[STORE]?.getStore();
  return scope?.[ENTRY_FACTS];
}

/** The request scope of the current async context, if any. */
export function getCurrentScope(): RequestScope | undefined {
  return (globalThis as GlobalWithStore)[STORE]?.getStore();
}

/**
 * The kit's direct call path on a client: `client[CALL_IN_SCOPE](scope, method, args)` makes the
 * call filled from `scope` without entering it (no AsyncLocalStorage.run, no lookup). Keyed by a
 * global symbol, so a request-bound client from one copy of the package drives a client from another.
 */
export const CALL_IN_SCOPE: unique symbol = Symbol.for('tributary.callInScope') as never;

/**
 * A scope that knows the anonymous id it would use without creating one: the kit's request scope
 * mints lazily, and a call that has a user id must not mint. Keyed by a global symbol, so copies of
 * the package read each other's scopes.
 */
export const KNOWN_ANONYMOUS_ID: unique symbol = Symbol.for('tributary.knownAnonymousId') as never;

type PeekableScope = RequestScope & { [KNOWN_ANONYMOUS_ID]?: () => string | undefined };

/**
 * The anonymous id a call in `scope` gets: when the call has a user id (`needed` false), only an
 * id the request already has; otherwise the scope's, which a lazy scope may mint now.
 */
export function scopeAnonymousId(
  scope: RequestScope | undefined,
  needed: boolean,
): string | undefined {
  if (scope === undefined) return undefined;
  if (!needed) {
    const peek = (scope as PeekableScope)[KNOWN_ANONYMOUS_ID];
    if (peek !== undefined) return peek.call(scope);
  }
  return scope.anonymousId;
}

// Merged on read, not when entered: the scopes may be lazy (getters), and a spread would read,
// build and mint everything up front.
class NestedScope implements RequestScope {
  readonly #outer: RequestScope;
  readonly #inner: RequestScope;

  /** Whether the outer scope only carries entry facts; asked on every request-bound call, so kept. */
  #outerEntryOnly: boolean | undefined;

  /** Whether calls in this scope see exactly what calls in `scope` alone would. */
  adds(scope: RequestScope): boolean {
    return this.#inner === scope && (this.#outerEntryOnly ??= isEntryOnly(this.#outer));
  }

  constructor(outer: RequestScope, inner: RequestScope) {
    this.#outer = outer;
    this.#inner = inner;
  }

  get context(): MessageContext | undefined {
    const outer = this.#outer.context;
    const inner = this.#inner.context;
    if (outer === undefined) return inner;
    return inner === undefined ? outer : { ...outer, ...inner };
  }

  get userId(): (() => string | number | undefined) | undefined {
    return this.#inner.userId !== undefined || this.#outer.userId !== undefined
      ? nestedUser
      : undefined;
  }

  /** @internal The user id of the innermost scope that resolves users. */
  resolveUser(): string | number | undefined {
    const owner = this.#inner.userId !== undefined ? this.#inner : this.#outer;
    return owner.userId?.();
  }

  get anonymousId(): string | undefined {
    return this.#inner.anonymousId ?? this.#outer.anonymousId;
  }

  [KNOWN_ANONYMOUS_ID](): string | undefined {
    return scopeAnonymousId(this.#inner, false) ?? scopeAnonymousId(this.#outer, false);
  }

  get [ENTRY_FACTS](): unknown {
    return (
      (this.#inner as ScopeWithEntryFacts)[ENTRY_FACTS] ??
      (this.#outer as ScopeWithEntryFacts)[ENTRY_FACTS]
    );
  }
}

// Shared by every nested scope and called as `scope.userId()`, so no read allocates a resolver.
function nestedUser(this: NestedScope): string | number | undefined {
  return this.resolveUser();
}

/**
 * The scope a call sees inside `inner` entered within `outer`: `inner`'s values win, contexts are
 * merged. Read lazily, so a lazy request scope stays lazy; never spread a kit scope (`{ ...scope }`
 * copies none of its getters).
 */
export function mergeScopes(outer: RequestScope, inner: RequestScope): RequestScope {
  return new NestedScope(outer, inner);
}

/**
 * Whether a call made while `current` is the current scope is filled exactly as one given `scope`
 * directly: the same scope, or `scope` entered over a scope that only carries entry facts.
 */
export function sameScope(current: RequestScope | undefined, scope: RequestScope): boolean {
  return current === scope || (current instanceof NestedScope && current.adds(scope));
}

// A plain object with no fields of its own (entry facts live under a symbol): reading a kit scope's
// getters would build its context, so only plain objects are looked into.
function isEntryOnly(scope: RequestScope): boolean {
  return Object.getPrototypeOf(scope) === Object.prototype && Object.keys(scope).length === 0;
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
