import {
  headerReader,
  resolveClientIp as resolveWithKit,
  type ClientIpOptions as KitClientIpOptions,
} from '@tributary/core/adapter';
import { readEnv } from './env.js';

/** Anything with a Fetch-style `get`: `Headers`, `ReadonlyHeaders`, a Node adapter. */
export interface HeaderReader {
  get(name: string): string | null;
}

/** How the client ip is found. Next.js gives route handlers no socket address, so this is explicit. */
export interface ClientIpOptions {
  /**
   * Returns the client ip from the request headers; wins over every other option. Use it for a
   * host-specific header such as `cf-connecting-ip` or `fly-client-ip`.
   */
  getClientIp?: (headers: HeaderReader) => string | undefined;
  /**
   * How many proxies in front of Next.js append to `X-Forwarded-For`. The ip is the entry that
   * many places from the right: the address the outermost trusted proxy saw. The left-most entry
   * is client-supplied and is never used as such. Defaults to 0: no ip from `X-Forwarded-For`
   * (on Vercel, `x-real-ip` is used instead).
   */
  trustedProxyHops?: number;
}

/** Next's options in the kit's terms: hops are `trustProxy`, Vercel's `x-real-ip` a host header. */
export function clientIpPolicy(
  options: ClientIpOptions,
  env: (name: string) => string | undefined = readEnv,
): KitClientIpOptions {
  const { getClientIp, trustedProxyHops } = options;
  const hops =
    typeof trustedProxyHops === 'number' && Number.isInteger(trustedProxyHops)
      ? Math.max(0, trustedProxyHops)
      : 0;
  return {
    trustProxy: hops,
    // Vercel sets x-real-ip itself, overwriting what the client sent.
    clientIpHeader: hops === 0 && env('VERCEL') !== undefined ? 'x-real-ip' : undefined,
    getClientIp:
      getClientIp === undefined
        ? undefined
        : (header) => getClientIp({ get: (name) => header(name.toLowerCase()) ?? null }),
  };
}

/**
 * The client ip of a request, or `undefined` when it cannot be known safely.
 * Order: `getClientIp`, then `x-real-ip` on Vercel when no hops are trusted, then
 * `trustedProxyHops` over `X-Forwarded-For`.
 * @example resolveClientIp(request.headers, { trustedProxyHops: 1 })
 */
export function resolveClientIp(
  headers: HeaderReader,
  options: ClientIpOptions = {},
  env: (name: string) => string | undefined = readEnv,
): string | undefined {
  return resolveWithKit(headerReader(headers), undefined, clientIpPolicy(options, env));
}
