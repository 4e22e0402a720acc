import { readEnv } from './env.js';
import { peerAddress, type PeerAddress } from './peer-address.js';

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
   * `next start` (with `initAnalytics`); none elsewhere, except `x-real-ip` on Vercel.
   */
  trustedProxyHops?: number;
}

/**
 * The client ip of a request, or `undefined` when it cannot be known safely.
 * Order: `getClientIp`; then, where `initAnalytics` captures the socket address (`next start`),
 * the chain `X-Forwarded-For` as it arrived + socket address, `trustedProxyHops` from the right;
 * otherwise `trustedProxyHops` over `X-Forwarded-For`, then `x-real-ip` on Vercel (which sets
 * it itself, overwriting what the client sent).
 * @example resolveClientIp(request.headers, { trustedProxyHops: 1 })
 */
export function resolveClientIp(
  headers: HeaderReader,
  options: ClientIpOptions = {},
  env: (name: string) => string | undefined = readEnv,
  peer: PeerAddress | undefined = peerAddress(),
): string | undefined {
  if (options.getClientIp !== undefined) {
    try {
      return normalizeIp(options.getClientIp(headers));
    } catch {
      return undefined;
    }
  }
  const requested = options.trustedProxyHops ?? 0;
  const hops = Number.isInteger(requested) && requested > 0 ? requested : 0;
  if (peer !== undefined) {
    // The header as the request arrived: Next.js adds the socket address when it is missing,
    // which would count one hop twice.
    const chain = [...forwardedChain(peer.forwardedFor), peer.address];
    return normalizeIp(chain[Math.max(0, chain.length - 1 - hops)]);
  }
  if (hops > 0) {
    const chain = forwardedChain(headers.get('x-forwarded-for'));
    if (chain.length === 0) return undefined;
    // Fewer entries than trusted hops: every entry was written by a trusted proxy, so the
    // left-most is the client (Express's `trust proxy` arithmetic).
    return normalizeIp(chain[Math.max(0, chain.length - hops)]);
  }
  if (env('VERCEL') !== undefined) return normalizeIp(headers.get('x-real-ip') ?? undefined);
  return undefined;
}

function forwardedChain(header: string | null | undefined): string[] {
  return (header ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/**
 * Strips a port, IPv6 brackets and the `::ffff:` of an IPv4 address on a dual-stack socket, and
 * rejects anything that is not an address.
 */
export function normalizeIp(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  let ip = value.trim();
  const bracketed = /^\[([0-9a-fA-F:.]+)\](?::\d+)?$/.exec(ip);
  if (bracketed !== null) ip = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(ip)) ip = ip.slice(0, ip.lastIndexOf(':'));
  const mapped = /^::ffff:(\d{1,3}(\.\d{1,3}){3})$/i.exec(ip);
  if (mapped !== null) ip = mapped[1]!;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip))
    return ip.split('.').every((octet) => Number(octet) <= 255) ? ip : undefined;
  if (ip.includes(':') && /^[0-9a-fA-F:.]{2,45}$/.test(ip)) return ip;
  return undefined;
}
