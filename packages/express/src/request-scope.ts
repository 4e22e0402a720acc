import {
  readAnonymousIdCookie,
  requestContextFromNode,
  type MessageContext,
  type RequestScope,
} from '@tributary/core';
import type { Request } from 'express';

/** Which request facts go into every message's `context`. Each defaults to `true`. */
export interface ContextOptions {
  /** `context.ip` from `req.ip`, which follows the app's `trust proxy` setting. Defaults to `true`. */
  ip?: boolean;
  /** `context.userAgent` from the User-Agent header. Defaults to `true`. */
  userAgent?: boolean;
  /** `context.locale`: the highest-weighted Accept-Language tag. Defaults to `true`. */
  locale?: boolean;
  /** `context.page.{url, path, search, referrer}`. Defaults to `true`. */
  page?: boolean;
  /** `context.requestId` from the X-Request-Id header, when present. Defaults to `true`. */
  requestId?: boolean;
}

/** Where the anonymous id of a request comes from. */
export interface AnonymousIdOptions {
  /** Read analytics.js's `ajs_anonymous_id` cookie, so server and browser events join. Defaults to `true`. */
  cookie?: boolean;
  /** A request header carrying the id (`'x-anonymous-id'`); when present it wins over the cookie. Defaults to none. */
  header?: string;
}

/** How {@link requestScope} reads a request: the middleware's options, resolved. */
export interface RequestScopeSettings {
  context: ContextOptions;
  resolveUser: (req: Request) => string | number | null | undefined;
  anonymousId: AnonymousIdOptions;
}

let warnedAboutProxy = false;

/**
 * What a request contributes to every call made while it is handled: its context (built on first
 * use), its user (resolved at each call) and its anonymous id.
 */
export function requestScope(req: Request, settings: RequestScopeSettings): RequestScope {
  let context: MessageContext | undefined;
  // Node caches the peer address once read; read it now so a context built after the socket has
  // closed (a call made after the response) still has the ip.
  if (settings.context.ip !== false) void req.socket?.remoteAddress;
  return {
    // Built on first use: a request that tracks nothing never pays for it.
    get context() {
      return (context ??= requestContext(req, settings.context));
    },
    userId: () => {
      try {
        return settings.resolveUser(req) ?? undefined;
      } catch {
        return undefined;
      }
    },
    anonymousId: anonymousIdOf(req, settings.anonymousId),
  };
}

function requestContext(req: Request, facts: ContextOptions): MessageContext {
  try {
    let ip = facts.ip === false ? undefined : req.ip;
    if (ip !== undefined) {
      warnIfProxyUntrusted(req);
      // A server listening on `::` sees IPv4 clients as `::ffff:1.2.3.4`; send the plain address.
      if (ip.startsWith('::ffff:') && ip.includes('.')) ip = ip.slice(7);
    }
    // Only what core reads: core's NodeRequestLike does not accept Express's Request as is (its
    // `socket` is a weak type that net.Socket does not match).
    const like = {
      headers: req.headers,
      originalUrl: req.originalUrl,
      url: req.url,
      protocol: req.protocol,
    };
    return requestContextFromNode(like, { ...facts, ip });
  } catch {
    return {};
  }
}

function anonymousIdOf(req: Request, options: AnonymousIdOptions): string | undefined {
  if (options.header !== undefined) {
    const value = req.headers[options.header.toLowerCase()];
    const id = Array.isArray(value) ? value[0] : value;
    if (id !== undefined && id !== '' && id.length <= 200) return id;
  }
  return options.cookie === false ? undefined : readAnonymousIdCookie(req.headers.cookie);
}

// Behind a proxy that Express does not trust, every event gets the proxy's address; say so once.
function warnIfProxyUntrusted(req: Request): void {
  if (
    warnedAboutProxy ||
    req.headers['x-forwarded-for'] === undefined ||
    process.env.NODE_ENV === 'production'
  )
    return;
  if (req.app?.get('trust proxy') !== false) return;
  warnedAboutProxy = true;
  process.emitWarning(
    'Requests carry X-Forwarded-For but Express does not trust proxies, so context.ip is the connecting address. Behind a proxy, set app.set("trust proxy", …); see https://expressjs.com/en/guide/behind-proxies.html',
    { code: 'TRIBUTARY_UNTRUSTED_PROXY' },
  );
}
