import type { Id } from '@tributary/core';
import {
  createRequestScope,
  type AdapterRequestScope,
  type AnonymousIdCookieOptions,
  type HeaderSource,
  type RequestFacts,
  type RequestScopeOptions,
} from '@tributary/core/adapter';
import { clientIpPolicy, type ClientIpOptions } from './client-ip.js';
import { addPeerAddress } from './peer-address.js';

/** Request header the proxy sets so Server Components and Actions know the page URL. */
export const PAGE_URL_HEADER = 'x-tributary-url';

/** What a Next.js entry point knows about a request, beyond its URL and headers. */
export interface NextRequestFacts {
  url: string;
  headers: HeaderSource;
  /** `'https'` or `'http'` when `url` is a path. */
  protocol?: string | undefined;
  /**
   * The peer address, where Next gives one (Pages API routes). The address `initAnalytics`
   * captured for the request wins, with X-Forwarded-For as it arrived.
   */
  socketAddress?: string | undefined;
  /** Where the response can still take a cookie. */
  setCookie?: ((header: string) => void) | undefined;
}

/** The request options {@link scopeFromRequest} reads. */
export type ScopeSettings = ClientIpOptions & {
  anonymousIdCookie?: AnonymousIdCookieOptions | false | undefined;
};

/**
 * A request's scope, through the kit: context from the URL and headers (never cookies or
 * authorization), the client ip from the socket address captured on `next start`, the `ajs_anonymous_id` cookie (minted when `setCookie` is given and `mint` is
 * not `false`), a request id and the user id. `facts` become the scope's own (the peer address is
 * set on them): pass an object built for this request.
 */
export function scopeFromRequest(
  facts: NextRequestFacts,
  settings: ScopeSettings,
  userId: Id | undefined,
): AdapterRequestScope {
  const options = scopeOptions(settings);
  if (userId === undefined) return createRequestScope(addPeerAddress(facts), options.anonymous);
  (facts as FactsWithUser).userId = userId;
  return createRequestScope(addPeerAddress(facts), options.user);
}

type FactsWithUser = NextRequestFacts & { userId?: Id };

// The kit calls it with the facts: one function for every request, no per-request closure.
const userOfFacts = (facts: RequestFacts): unknown => (facts as FactsWithUser).userId;

interface ScopeOptions {
  anonymous: RequestScopeOptions;
  /** The same with the user id the caller resolved, read off the facts. */
  user: RequestScopeOptions;
}

/**
 * One pair of scope options per settings object: a wrapper's settings change only with
 * `initAnalytics`, so a request allocates none (issue #20).
 */
const optionsBySettings = new WeakMap<ScopeSettings, ScopeOptions>();

function scopeOptions(settings: ScopeSettings): ScopeOptions {
  let options = optionsBySettings.get(settings);
  if (options === undefined) {
    const anonymous = {
      clientIp: clientIpPolicy(settings),
      anonymousId: { mint: settings.anonymousIdCookie },
    };
    options = { anonymous, user: { ...anonymous, resolveUser: userOfFacts } };
    optionsBySettings.set(settings, options);
  }
  return options;
}

/**
 * The page URL as the browser asked for it: the Host header's host (Next rewrites a loopback
 * host to `localhost` in `request.url`), without the `_rsc` cache-busting parameter.
 */
export function pageUrl(url: string, host?: string | null): string {
  // `request.url` is already a serialized URL: only its origin changes, and every request of a
  // server has the same origin and host, so the parsed result of the last one is reused.
  const end = url.includes('_rsc') ? -1 : pathStart(url);
  if (end === -1) return parsePageUrl(url, host);
  const origin = url.slice(0, end);
  const key = host === undefined || host === null ? origin : `${origin} ${host}`;
  if (key !== lastOrigin.key) {
    const parsed = parsePageUrl(`${origin}/`, host);
    lastOrigin = { key, origin: parsed.endsWith('/') ? parsed.slice(0, -1) : origin };
  }
  return lastOrigin.origin + url.slice(end);
}

let lastOrigin = { key: '', origin: '' };

/** Where the path of an `http(s)` URL starts, or -1 when there is no `/` right after the host. */
function pathStart(url: string): number {
  const scheme = url.startsWith('https://') ? 8 : url.startsWith('http://') ? 7 : -1;
  if (scheme === -1) return -1;
  for (let i = scheme; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c === 47 /* / */) return i;
    if (c === 63 /* ? */ || c === 35 /* # */) return -1;
  }
  return -1;
}

function parsePageUrl(url: string, host?: string | null): string {
  try {
    const parsed = new URL(url);
    if (parsed.searchParams.has('_rsc')) parsed.searchParams.delete('_rsc');
    if (host !== undefined && host !== null && /^[a-z0-9.:[\]-]+$/i.test(host)) parsed.host = host;
    return parsed.href;
  } catch {
    return url;
  }
}

/** Runs a user resolver; a throw or rejection means "anonymous", never an error in the app. */
export async function resolveUserSafely<TRequest>(
  resolve:
    ((request: TRequest) => Id | undefined | null | Promise<Id | undefined | null>) | undefined,
  request: TRequest,
): Promise<Id | undefined> {
  if (resolve === undefined) return undefined;
  try {
    return (await resolve(request)) ?? undefined;
  } catch (error) {
    console.warn(
      `[tributary] resolveUser threw: ${String(error)}; the request is tracked as anonymous`,
    );
    return undefined;
  }
}
