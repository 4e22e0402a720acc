import { buildContext } from '../context/request-context.js';
import type { RequestScope } from '../context/request-scope.js';
import type { MessageContext } from '../messages/types.js';
import { resolveAnonymousId, type AnonymousIdOptions } from './anonymous-id.js';
import { resolveClientIp, type ClientIpOptions } from './client-ip.js';
import { headerReader, type RequestFacts } from './request-facts.js';

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
   * `null`, `''` and a throw mean anonymous. Defaults to none.
   */
  resolveUser?: (() => unknown) | undefined;
  /** Called when `resolveUser` throws. Defaults to ignoring it. */
  onResolveUserError?: ((error: unknown) => void) | undefined;
}

/** A request scope as the kit builds it, with what the adapter may pass on. */
export interface AdapterRequestScope extends RequestScope {
  /** The request id: the X-Request-Id header, else a new UUID. `undefined` when turned off. */
  readonly requestId: string | undefined;
  /** Whether the anonymous id was created for this request (and the cookie set). */
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

/**
 * The one request model: turns an adapter's {@link RequestFacts} into the scope every call made
 * while the request is handled is filled from (context, user, anonymous id). Cookies and
 * authorization headers are never copied. Never throws: a fact that cannot be read is left out.
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
  const fields =
    options.context === false ? NONE : options.context === true ? ALL : (options.context ?? ALL);
  let header = headerReader({});
  try {
    header = headerReader(facts.headers);
  } catch {
    // Headers that cannot be read contribute nothing.
  }
  const absolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(facts.url);
  const protocol = facts.protocol ?? (absolute ? safeProtocol(facts.url) : 'http');
  const host = header('host');
  const absoluteUrl = absolute
    ? facts.url
    : host === undefined
      ? undefined
      : `${protocol}://${host}${facts.url}`;

  let requestId: string | undefined;
  if (fields.requestId !== false) {
    const given = header('x-request-id');
    requestId =
      given !== undefined && given !== '' && given.length <= 200
        ? given
        : globalThis.crypto.randomUUID();
  }
  const anonymous = resolveAnonymousId(
    header,
    options.anonymousId ?? {},
    protocol === 'https',
    facts.setCookie,
  );
  // Read now: a context built after the socket has closed (a call after the response) keeps it.
  const socketAddress = fields.ip === false ? undefined : facts.socketAddress;

  let context: MessageContext | undefined;
  const build = (): MessageContext => {
    try {
      const built = buildContext(header, absoluteUrl, facts.url, {
        ...fields,
        requestId: false,
        ip:
          fields.ip === false
            ? undefined
            : resolveClientIp(header, socketAddress, options.clientIp),
      });
      if (requestId !== undefined) built.requestId = requestId;
      return built;
    } catch {
      return {};
    }
  };
  const { resolveUser, onResolveUserError } = options;
  const scope: AdapterRequestScope = {
    // Built on first use: a request that tracks nothing never pays for it.
    get context() {
      return (context ??= build());
    },
    requestId,
    anonymousIdMinted: anonymous.minted,
  };
  if (anonymous.id !== undefined) scope.anonymousId = anonymous.id;
  if (resolveUser !== undefined) {
    scope.userId = () => {
      try {
        return toId(resolveUser());
      } catch (error) {
        onResolveUserError?.(error);
        return undefined;
      }
    };
  }
  return scope;
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
  return scope.anonymousId !== undefined || scope.userId?.() !== undefined;
}

function safeProtocol(url: string): string {
  return url.slice(0, url.indexOf(':')).toLowerCase();
}
