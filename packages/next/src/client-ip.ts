import { readEnv } from './env.js';

/** Anything with a Fetch-style `get`: `Headers`, `ReadonlyHeaders`, a Node adapter. */
export interface HeaderReader {
  get(name: string): string | null;
}

/** How the client ip is found. Next.js has no socket address for route handlers, so this is explicit. */
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
  trustedProxyHops?: number | undefined;
}

/**
 * The client ip of a request, or `undefined` when it cannot be known safely.
 * Order: `getClientIp`, then `trustedProxyHops` over `X-Forwarded-For`, then `x-real-ip` on
 * Vercel (which sets it itself, overwriting what the client sent).
 * @example resolveClientIp(request.headers, { trustedProxyHops: 1 })
 */
export function resolveClientIp(
  headers: HeaderReader,
  options: ClientIpOptions = {},
  env: (name: string) => string | undefined = readEnv,
): string | undefined {
  if (options.getClientIp !== undefined) {
    try {
      return normalizeIp(options.getClientIp(headers));
    } catch {
      return undefined;
    }
  }
  const hops = options.trustedProxyHops ?? 0;
  if (Number.isInteger(hops) && hops > 0) {
    const chain = (headers.get('x-forwarded-for') ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '');
    if (chain.length === 0) return undefined;
    // Fewer entries than trusted hops: every entry was written by a trusted proxy, so the
    // left-most is the client (Express's `trust proxy` arithmetic).
    return normalizeIp(chain[Math.max(0, chain.length - hops)]);
  }
  if (env('VERCEL') !== undefined) return normalizeIp(headers.get('x-real-ip') ?? undefined);
  return undefined;
}

/** Strips a port and IPv6 brackets and rejects anything that is not an address. */
export function normalizeIp(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  let ip = value.trim();
  const bracketed = /^\[([0-9a-fA-F:.]+)\](?::\d+)?$/.exec(ip);
  if (bracketed !== null) ip = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(ip)) ip = ip.slice(0, ip.lastIndexOf(':'));
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip))
    return ip.split('.').every((octet) => Number(octet) <= 255) ? ip : undefined;
  if (ip.includes(':') && /^[0-9a-fA-F:.]{2,45}$/.test(ip)) return ip;
  return undefined;
}
