import type { TrustProxy } from './client-ip.js';

/** Request headers as a framework holds them: a Node header record or a Fetch `Headers`. */
export type HeaderSource =
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | { get(name: string): string | null };

/** Reads one header by its lower-case name; repeated headers are joined with `, `. */
export type HeaderReader = (name: string) => string | undefined;

/**
 * What an adapter knows about a request, in neutral terms. Each adapter supplies the facts its
 * framework has and nothing else; {@link createRequestScope} turns them into a request scope.
 * The facts are read when a call first needs them, not when the scope is created, so an object
 * with getters over the framework's request works and costs nothing for a request that tracks
 * nothing.
 */
export interface RequestFacts {
  /** The request headers. */
  headers: HeaderSource;
  /** The request URL: absolute (`https://shop.example/cart?x=1`) or a path with query (`/cart?x=1`). */
  url: string;
  /** The scheme when `url` is a path: `'https'` or `'http'`. Defaults to `'http'`. */
  protocol?: string | undefined;
  /**
   * The address of the peer that opened the connection (`socket.remoteAddress`): the starting
   * point of the client-ip rule. A header a client sent must never be passed here.
   */
  socketAddress?: string | undefined;
  /**
   * The framework's own rule for which proxies to trust (Express's compiled `trust proxy`), when
   * it has one; `clientIp.trustProxy` in the options wins when given. Defaults to none.
   */
  trustProxy?: TrustProxy | undefined;
  /**
   * The matched route template (`/products/:id`), added as `context.route` when the context is
   * built. Defaults to none.
   */
  route?: string | undefined;
  /**
   * Adds one `Set-Cookie` header to the response, if the framework still can (called with the
   * facts as `this`). When given, a request without an anonymous id gets a fresh one, stored in
   * analytics.js's cookie, at the first call that needs it.
   */
  setCookie?: ((header: string) => void) | undefined;
}

/** Turns any {@link HeaderSource} into a lookup by lower-case name. */
export function headerReader(headers: HeaderSource): HeaderReader {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    const fetchHeaders = headers as { get(name: string): string | null };
    return (name) => fetchHeaders.get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  return (name) => {
    const value = record[name];
    if (value === undefined) return undefined;
    return typeof value === 'string' ? value : value.join(', ');
  };
}
