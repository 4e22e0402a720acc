import {
  headerReader,
  resolveClientIp as resolveWithKit,
  type ClientIpOptions as KitClientIpOptions,
} from '@tributary/core/adapter';
import { readEnv } from './env.js';
import { addPeerAddress, type AddressFacts } from './peer-address.js';

/** Anything with a Fetch-style `get`: `Headers`, `ReadonlyHeaders`, a Node adapter. */
export interface HeaderReader {
  get(name: string): string | null;
}

/** How the client ip is found. */
export interface ClientIpOptions {
  /**
   * Returns the client ip from the request headers; wins over every other option. Use it for a
   * host-specific header such as `cf-connecting-ip` or `fly-client-ip`.
   */
  getClientIp?: (headers: HeaderReader) => string | undefined;
  /**
   * How many proxies you run in front of Next.js, each appending the address it saw to
   * `X-Forwarded-For`. The ip is the address that many hops from the socket: `0` is the socket
   * address itself, `1` the right-most `X-Forwarded-For` entry. A client can write any entry, so
   * only count proxies the app cannot be reached without. Defaults to 0: the socket address on
   * `next start` (with `initAnalytics`); none where Next.js gives no socket address (the edge
   * runtime, serverless hosts), except `x-real-ip` on Vercel.
   */
  trustedProxyHops?: number | undefined;
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
 * The client ip of a request, or `undefined` when it cannot be known safely. Order:
 * `getClientIp`; then `x-real-ip` on Vercel when no hops are trusted; then `trustedProxyHops`
 * counted from the socket address over `X-Forwarded-For` as it arrived (on `next start` with
 * `initAnalytics`), or over `X-Forwarded-For` alone where there is no socket address.
 * @example resolveClientIp(request.headers, { trustedProxyHops: 1 })
 */
export function resolveClientIp(
  headers: HeaderReader,
  options: ClientIpOptions = {},
  env: (name: string) => string | undefined = readEnv,
): string | undefined {
  const facts = addPeerAddress<AddressFacts>({ headers });
  return resolveWithKit(
    headerReader(facts.headers),
    facts.socketAddress,
    clientIpPolicy(options, env),
  );
}
