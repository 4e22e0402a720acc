import { ANONYMOUS_ID_COOKIE, readAnonymousIdCookie } from '../context/anonymous-id.js';
import type { HeaderReader } from './request-facts.js';

/** Attributes of the `ajs_anonymous_id` cookie set for a new visitor. */
export interface AnonymousIdCookieOptions {
  /** Share the id across subdomains (analytics.js uses the top-level domain). Defaults to the request's host only. */
  domain?: string | undefined;
  /** Seconds. Defaults to one year, like analytics.js. */
  maxAge?: number | undefined;
  /** Defaults to `true` on https requests. */
  secure?: boolean | undefined;
  /** Defaults to `'lax'`. */
  sameSite?: 'lax' | 'strict' | 'none' | undefined;
}

/** Where the anonymous id of a request comes from. */
export interface AnonymousIdOptions {
  /** Read analytics.js's `ajs_anonymous_id` cookie, so server and browser events join. Defaults to `true`. */
  cookie?: boolean | undefined;
  /** A request header carrying the id (`'x-anonymous-id'`); when present it wins over the cookie. Defaults to none. */
  header?: string | undefined;
  /**
   * When the request has no id and the framework can still set a response cookie: create one (a
   * UUID) and store it in `ajs_anonymous_id`, so the visitor keeps it and analytics.js adopts it;
   * `false` turns it off. Defaults to `{}`: a host-only, non-HttpOnly cookie for one year.
   */
  mint?: AnonymousIdCookieOptions | false | undefined;
}

/** The anonymous id of a request, and whether it was created for it. */
export interface AnonymousIdResult {
  id: string | undefined;
  minted: boolean;
}

const ONE_YEAR = 365 * 24 * 60 * 60;

/**
 * Reads the anonymous id from the configured header, then analytics.js's cookie; else, when
 * `setCookie` is given and minting is on, creates one and sets the cookie.
 */
export function resolveAnonymousId(
  header: HeaderReader,
  options: AnonymousIdOptions,
  secure: boolean,
  setCookie: ((header: string) => void) | undefined,
): AnonymousIdResult {
  if (options.header !== undefined) {
    const id = header(options.header.toLowerCase())?.split(',')[0]?.trim();
    if (id !== undefined && id !== '' && id.length <= 200) return { id, minted: false };
  }
  if (options.cookie !== false) {
    const id = readAnonymousIdCookie(header('cookie'));
    if (id !== undefined) return { id, minted: false };
  }
  if (options.mint === false || setCookie === undefined) return { id: undefined, minted: false };
  const id = globalThis.crypto.randomUUID();
  try {
    setCookie(anonymousIdCookieHeader(id, secure, options.mint));
  } catch {
    // The response may already be on its way; the id still serves this request.
  }
  return { id, minted: true };
}

/**
 * The `Set-Cookie` value that stores `id` as analytics.js does: JSON-quoted, then URI-encoded
 * (`ajs_anonymous_id=%22…%22`). Not `HttpOnly`: analytics.js must read it.
 */
export function anonymousIdCookieHeader(
  id: string,
  secure: boolean,
  options: AnonymousIdCookieOptions = {},
): string {
  const parts = [
    `${ANONYMOUS_ID_COOKIE}=${encodeURIComponent(JSON.stringify(id))}`,
    'Path=/',
    `Max-Age=${options.maxAge ?? ONE_YEAR}`,
    `SameSite=${capitalize(options.sameSite ?? 'lax')}`,
  ];
  if (options.domain !== undefined) parts.push(`Domain=${options.domain}`);
  if (options.secure ?? secure) parts.push('Secure');
  return parts.join('; ');
}

function capitalize(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}
