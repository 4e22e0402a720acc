import { ANONYMOUS_ID_COOKIE } from '@tributary/core/adapter';

/** The Cookie request header with the seeded id added, so the app sees it on this very request. */
export function withAnonymousIdCookie(cookieHeader: string | null, id: string): string {
  const pair = `${ANONYMOUS_ID_COOKIE}=${encodeURIComponent(JSON.stringify(id))}`;
  return cookieHeader === null || cookieHeader.trim() === '' ? pair : `${cookieHeader}; ${pair}`;
}
