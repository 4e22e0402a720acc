import { buildContext } from '../context/request-context.js';
import { KNOWN_ANONYMOUS_ID, type RequestScope } from '../context/request-scope.js';
import type { MessageContext } from '../messages/types.js';
import {
  anonymousIdCookieHeader,
  resolveAnonymousId,
  type AnonymousIdOptions,
} from './anonymous-id.js';
import { resolveClientIp, type ClientIpOptions, type TrustProxy } from './client-ip.js';
import { headerReader, type HeaderReader, type RequestFacts } from './request-facts.js';

/** Which request facts go into every message's `context`. Each defaults to `true`. */
export interface ContextFields {
  /** `context.ip`, by the client-ip rule (`::ffff:` stripped, proxies only when trusted). Defaults to `true`. */
  ip?: boolean | undefined;
  /** `context.userAgent` from the User-Agent header. Defaults to `true`. */
  userAgent?: boolean | undefined;
  /** `context.locale`: the highest-weighted Accept-Language tag. Defaults to `true`. */
  locale?: boolean | undefined;
  /** `context.page.{url, path, search, referrer}`. Defaults to `true`. */
  page?: boolean | undefined;
  /** `context.requestId` from X-Request-Id, or a new UUID when the request has none. Defaults to `true`. */
  requestId?: boolean | undefined;
}

/** How {@link createRequestScope} reads a request. */
export interface RequestScopeOptions {
  /** Request facts copied into `context`; `false` copies none. Defaults to all of them. */
  context?: ContextFields | boolean | undefined;
  /** How the client ip is found. Defaults to the socket address, no proxy trusted. */
  clientIp?: ClientIpOptions | undefined;
  /** Where the anonymous id comes from, and whether to create one. Defaults to the cookie, minting when possible. */
  anonymousId?: AnonymousIdOptions | undefined;
  /**
   * The signed-in user's id, called at each call (so an auth step that runs later still counts).
   * It gets the request's facts, so one function can serve every request. `null`, `''` and a
   * throw mean anonymous. Defaults to none.
   */
  resolveUser?: ((facts: RequestFacts) => unknown) | undefined;
  /** Called when `resolveUser` throws. Defaults to ignoring it. */
  onResolveUserError?: ((error: unknown) => void) | undefined;
}

/** A request scope as the kit builds it, with what the adapter may pass on. */
export interface AdapterRequestScope extends RequestScope {
  /**
   * The request id: the X-Request-Id header, else a new UUID, chosen at the first read (or when
   * the context is first built). `undefined` when turned off.
   */
  readonly requestId: string | undefined;
  /**
   * Whether the anonymous id was created for this request (and the cookie set). Reading it
   * settles the anonymous id, minting one now if the request has none and minting is on.
   */
  readonly anonymousIdMinted: boolean;
}

const ALL: ContextFields = {};
const NONE: ContextFields = {
  ip: false,
  userAgent: false,
  locale: false,
  page: false,
  requestId: false,
};
const NO_HEADERS = headerReader({});

/**
 * The one request model: turns an adapter's {@link RequestFacts} into the scope every call made
 * while the request is handled is filled from (context, user, anonymous id). Cookies and
 * authorization headers are never copied. Never throws: a fact that cannot be read is left out.
 *
 * Nothing is computed up front: the facts are read, the context built and the request id chosen
 * at the first call that needs them, and cached for the request. The anonymous id is read from
 * the request when first needed; a new one is minted (and its cookie set, if the response can
 * still take it) only when a call needs an anonymous id (it has no user id), when the app reads
 * `anonymousId`, or when `alias` needs its default `previousId`. A request that tracks nothing
 * costs no UUID and sends no `Set-Cookie`.
 * @example
 * const scope = createRequestScope(
 *   { headers: req.headers, url: req.originalUrl, socketAddress: req.socket.remoteAddress,
 *     setCookie: (cookie) => res.append('Set-Cookie', cookie) },
 *   { clientIp: { trustProxy: app.get('trust proxy fn') }, resolveUser: () => req.user?.id },
 * );
 */
export function createRequestScope(
  facts: RequestFacts,
  options: RequestScopeOptions = {},
): AdapterRequestScope {
  return new LazyRequestScope(facts, options);
}

// One object of a fixed shape per request, prototype methods only: no per-request closures.
class LazyRequestScope implements AdapterRequestScope {
  readonly #facts: RequestFacts;
  readonly #options: RequestScopeOptions;
  #header: HeaderReader | undefined;
  #context: MessageContext | undefined;
  #requestId: string | undefined;
  #anonymousId: string | undefined;
  // 0: not looked up yet; 1: looked up in the request (found or not); 2: minted here; 3: set by the adapter.
  #anonymousState = 0;

  constructor(facts: RequestFacts, options: RequestScopeOptions) {
    this.#facts = facts;
    this.#options = options;
  }

  get context(): MessageContext {
    return (this.#context ??= this.#build());
  }

  set context(context: MessageContext | undefined) {
    this.#context = context ?? {};
  }

  get userId(): (() => string | number | undefined) | undefined {
    return this.#options.resolveUser === undefined ? undefined : resolveScopeUser;
  }

  get anonymousId(): string | undefined {
    if (this.#anonymousState === 0) this.#lookUpAnonymousId();
    if (this.#anonymousId === undefined && this.#anonymousState === 1) this.#mint();
    return this.#anonymousId;
  }

  set anonymousId(id: string | undefined) {
    this.#anonymousId = id;
    this.#anonymousState = 3;
  }

  get requestId(): string | undefined {
    if (this.#requestId !== undefined || this.#fields().requestId === false) return this.#requestId;
    let given: string | undefined;
    try {
      given = this.#reader()('x-request-id');
    } catch {
      given = undefined;
    }
    this.#requestId =
      given !== undefined && given !== '' && given.length <= 200
        ? given
        : globalThis.crypto.randomUUID();
    return this.#requestId;
  }

  get anonymousIdMinted(): boolean {
    void this.anonymousId;
    return this.#anonymousState === 2;
  }

  /** The anonymous id the request already has (header, cookie, or minted earlier), never minting. */
  [KNOWN_ANONYMOUS_ID](): string | undefined {
    if (this.#anonymousState === 0) this.#lookUpAnonymousId();
    return this.#anonymousId;
  }

  /** @internal */
  resolveUser(): string | number | undefined {
    const { resolveUser, onResolveUserError } = this.#options;
    try {
      return toId(resolveUser?.(this.#facts));
    } catch (error) {
      onResolveUserError?.(error);
      return undefined;
    }
  }

  #fields(): ContextFields {
    const context = this.#options.context;
    return context === false ? NONE : context === true ? ALL : (context ?? ALL);
  }

  #reader(): HeaderReader {
    try {
      return (this.#header ??= headerReader(this.#facts.headers));
    } catch {
      // Headers that cannot be read contribute nothing.
      return (this.#header = NO_HEADERS);
    }
  }

  #lookUpAnonymousId(): void {
    this.#anonymousState = 1;
    try {
      // Without a cookie setter this only reads: minting waits until a call needs the id.
      this.#anonymousId = resolveAnonymousId(
        this.#reader(),
        this.#options.anonymousId ?? {},
        false,
        undefined,
      ).id;
    } catch {
      this.#anonymousId = undefined;
    }
  }

  #mint(): void {
    const options = this.#options.anonymousId ?? {};
    const { setCookie } = this.#facts;
    if (options.mint === false || setCookie === undefined) {
      this.#anonymousState = 3;
      return;
    }
    const id = globalThis.crypto.randomUUID();
    this.#anonymousId = id;
    this.#anonymousState = 2;
    try {
      setCookie.call(
        this.#facts,
        anonymousIdCookieHeader(id, this.#protocol() === 'https', options.mint),
      );
    } catch {
      // The response may already be on its way; the id still serves this request.
    }
  }

  #protocol(): string {
    const { url, protocol } = this.#facts;
    return protocol ?? (ABSOLUTE.test(url) ? url.slice(0, url.indexOf(':')).toLowerCase() : 'http');
  }

  #clientIpOptions(): ClientIpOptions | undefined {
    const options = this.#options.clientIp;
    const trustProxy = this.#facts.trustProxy;
    if (trustProxy === undefined || options?.trustProxy !== undefined) return options;
    // The framework's rule is one object per app: merge it into the options once, not per request.
    if (mergedFor.options !== options || mergedFor.trustProxy !== trustProxy) {
      mergedFor = { options, trustProxy, merged: { ...options, trustProxy } };
    }
    return mergedFor.merged;
  }

  #build(): MessageContext {
    try {
      const fields = this.#fields();
      const header = this.#reader();
      const url = this.#facts.url;
      const absolute = ABSOLUTE.test(url);
      const host = absolute ? undefined : header('host');
      const absoluteUrl = absolute
        ? url
        : host === undefined
          ? undefined
          : `${this.#protocol()}://${host}${url}`;
      const built = buildContext(header, absoluteUrl, url, {
        userAgent: fields.userAgent,
        locale: fields.locale,
        page: fields.page,
        requestId: false,
        ip:
          fields.ip === false
            ? undefined
            : resolveClientIp(header, this.#facts.socketAddress, this.#clientIpOptions()),
      });
      const requestId = this.requestId;
      if (requestId !== undefined) built.requestId = requestId;
      const route = this.#facts.route;
      if (typeof route === 'string') built.route = route;
      return built;
    } catch {
      return {};
    }
  }
}

const ABSOLUTE = /^[a-z][a-z0-9+.-]*:\/\//i;

let mergedFor: {
  options: ClientIpOptions | undefined;
  trustProxy: TrustProxy | undefined;
  merged: ClientIpOptions | undefined;
} = { options: undefined, trustProxy: undefined, merged: undefined };

// Shared by every scope and called as `scope.userId()`, so no request allocates a resolver.
function resolveScopeUser(this: LazyRequestScope): string | number | undefined {
  return this.resolveUser();
}

/** An id as a request scope holds it: bigints as strings; `''`, `null` and other values are none. */
export function toId(value: unknown): string | number | undefined {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return value === '' ? undefined : value;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Whether a call made in `scope` would carry an identity; Segment rejects messages without one. */
export function hasIdentity(scope: RequestScope | undefined): boolean {
  if (scope === undefined) return false;
  // The user first: a request with one needs no anonymous id minted.
  return scope.userId?.() !== undefined || scope.anonymousId !== undefined;
}
