/** analytics.js keeps the browser's anonymous id in this cookie. */
export const ANONYMOUS_ID_COOKIE = 'ajs_anonymous_id';

/**
 * Reads analytics.js's `ajs_anonymous_id` from a Cookie header, so server events join the
 * browser's. The value is JSON-quoted by analytics.js (`"%22abc%22"` or `"abc"`); both forms work.
 */
export function readAnonymousIdCookie(cookieHeader: string | null | undefined): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== ANONYMOUS_ID_COOKIE) continue;
    let value = part.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // Keep the raw value: a stray % is not worth losing the id over.
    }
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"'))
      value = value.slice(1, -1);
    return value.length > 0 && value.length <= 200 ? value : undefined;
  }
  return undefined;
}
