import type { HeaderReader } from './request-facts.js';

/**
 * Which proxies in front of the app are trusted to report the client's address in
 * `X-Forwarded-For`: a number of hops, `true` (all), `false` (none), or a rule that gets each
 * address of the chain, starting with the socket's (hop 0). Express's compiled `trust proxy` fits.
 */
export type TrustProxy = boolean | number | ((address: string, hop: number) => boolean);

/** How the client ip of a request is found. */
export interface ClientIpOptions {
  /**
   * The proxies trusted to report the client's address (see {@link TrustProxy}). The ip is the
   * first address of the chain, from the socket inward, that is not trusted. Defaults to `false`:
   * the socket address, and `X-Forwarded-For` is ignored.
   */
  trustProxy?: TrustProxy | undefined;
  /**
   * A header your host sets itself, overwriting what the client sent (`x-real-ip` on Vercel,
   * `cf-connecting-ip` on Cloudflare, `fly-client-ip` on Fly). Wins over `trustProxy`.
   * Defaults to none.
   */
  clientIpHeader?: string | undefined;
  /** Finds the ip yourself; wins over every other option. A throw means "no ip". Defaults to none. */
  getClientIp?: ((header: HeaderReader) => string | undefined) | undefined;
}

let warnedUntrusted = false;

/**
 * The client ip of a request, normalised (`::ffff:1.2.3.4` → `1.2.3.4`, ports and brackets
 * stripped), or `undefined` when it cannot be known safely. The left-most `X-Forwarded-For` entry
 * is client-supplied and only counts when every hop after it is trusted.
 * @example resolveClientIp(header, '10.0.0.2', { trustProxy: 1 })
 */
export function resolveClientIp(
  header: HeaderReader,
  socketAddress: string | undefined,
  options: ClientIpOptions = {},
): string | undefined {
  if (options.getClientIp !== undefined) {
    try {
      return normalizeIp(options.getClientIp(header));
    } catch {
      return undefined;
    }
  }
  if (options.clientIpHeader !== undefined) {
    const value = header(options.clientIpHeader.toLowerCase());
    return normalizeIp(value?.split(',')[0]);
  }
  const forwarded = header('x-forwarded-for');
  const socket = normalizeSocketIp(socketAddress);
  const trust = trustRule(options.trustProxy);
  if (socket !== undefined && !trust(socket, 0)) {
    if (forwarded !== undefined) warnUntrustedProxy();
    return socket;
  }
  // Nearest first: the socket, then X-Forwarded-For from right to left.
  const chain = (forwarded ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .reverse();
  if (socket === undefined) {
    // No socket (a Fetch request): the right-most entry is the nearest trusted proxy's report.
    if (!trust('', 0)) return undefined;
    return pickFromChain(chain, trust, 1);
  }
  return pickFromChain(chain, trust, 1) ?? socket;
}

function pickFromChain(chain: string[], trust: TrustRule, firstHop: number): string | undefined {
  let last: string | undefined;
  for (let i = 0; i < chain.length; i++) {
    const address = normalizeIp(chain[i]);
    // A malformed entry ends the trusted chain: nothing beyond it can be vouched for.
    if (address === undefined) return last;
    last = address;
    if (!trust(address, firstHop + i)) return address;
  }
  return last;
}

type TrustRule = (address: string, hop: number) => boolean;

const TRUST_NONE: TrustRule = () => false;
const TRUST_ALL: TrustRule = () => true;
// A hop count or a function is one value per app: its rule is built once, not for every request.
let lastTrust: TrustProxy | undefined;
let lastRule: TrustRule | undefined;

function trustRule(trust: TrustProxy | undefined): TrustRule {
  if (trust === undefined || trust === false) return TRUST_NONE;
  if (trust === true) return TRUST_ALL;
  if (trust === lastTrust && lastRule !== undefined) return lastRule;
  lastTrust = trust;
  lastRule =
    typeof trust === 'number'
      ? (_address, hop) => hop < trust
      : (address, hop) => {
          try {
            return trust(address, hop);
          } catch {
            return false;
          }
        };
  return lastRule;
}

// A keep-alive connection brings the same socket address request after request.
let lastSocketAddress: string | undefined;
let lastSocketIp: string | undefined;

function normalizeSocketIp(address: string | undefined): string | undefined {
  if (address !== lastSocketAddress || address === undefined) {
    lastSocketIp = normalizeIp(address);
    lastSocketAddress = address;
  }
  return lastSocketIp;
}

/** Strips a port, IPv6 brackets and the IPv4-mapped prefix; rejects anything that is not an address. */
export function normalizeIp(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  let ip = value.trim();
  const bracketed = /^\[([0-9a-fA-F:.]+)\](?::\d+)?$/.exec(ip);
  if (bracketed !== null) ip = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(ip)) ip = ip.slice(0, ip.lastIndexOf(':'));
  // A server listening on `::` sees IPv4 clients as `::ffff:1.2.3.4`.
  if (/^::ffff:\d{1,3}(\.\d{1,3}){3}$/i.test(ip)) ip = ip.slice(7);
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip))
    return ip.split('.').every((octet) => Number(octet) <= 255) ? ip : undefined;
  if (ip.includes(':') && /^[0-9a-fA-F:.]{2,45}$/.test(ip)) return ip;
  return undefined;
}

// Behind a proxy that is not trusted, every event gets the proxy's address; say so once.
function warnUntrustedProxy(): void {
  if (warnedUntrusted) return;
  warnedUntrusted = true;
  const proc = (globalThis as { process?: NodeJS.Process }).process;
  if (proc?.env?.NODE_ENV === 'production') return;
  const text =
    'Requests carry X-Forwarded-For but no proxy is trusted, so context.ip is the connecting address. Behind a proxy, trust it (Express: app.set("trust proxy", …); Fastify: trustProxy; Next.js: trustedProxyHops).';
  if (typeof proc?.emitWarning === 'function')
    proc.emitWarning(text, { code: 'TRIBUTARY_UNTRUSTED_PROXY' });
  else console.warn(`[tributary] ${text}`);
}
