/** analytics.js keeps the browser's anonymous id in this cookie. */
export const ANONYMOUS_ID_COOKIE = 'ajs_anonymous_id';

/** Attributes of the seeded `ajs_anonymous_id` cookie. */
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

/** A cookie for `NextResponse.cookies.set`. */
export interface SeededCookie {
  name: string;
  value: string;
  path: string;
  maxAge: number;
  sameSite: 'lax' | 'strict' | 'none';
  secure: boolean;
  httpOnly: false;
  domain?: string | undefined;
}

const ONE_YEAR = 365 * 24 * 60 * 60;

/**
 * The `ajs_anonymous_id` cookie for `id`. The value is JSON-quoted, as analytics.js stores it, and
 * `NextResponse.cookies` URI-encodes it (`%22…%22`), so the browser library reads the same id.
 * Not `HttpOnly`: analytics.js must read it.
 */
export function anonymousIdCookie(
  id: string,
  secureRequest: boolean,
  options: AnonymousIdCookieOptions = {},
): SeededCookie {
  const cookie: SeededCookie = {
    name: ANONYMOUS_ID_COOKIE,
    value: JSON.stringify(id),
    path: '/',
    maxAge: options.maxAge ?? ONE_YEAR,
    sameSite: options.sameSite ?? 'lax',
    secure: options.secure ?? secureRequest,
    httpOnly: false,
  };
  if (options.domain !== undefined) cookie.domain = options.domain;
  return cookie;
}

/** The Cookie request header with the seeded id added, so the app sees it on this very request. */
export function withAnonymousIdCookie(cookieHeader: string | null, id: string): string {
  const pair = `${ANONYMOUS_ID_COOKIE}=${encodeURIComponent(JSON.stringify(id))}`;
  return cookieHeader === null || cookieHeader.trim() === '' ? pair : `${cookieHeader}; ${pair}`;
}
