/** What replaces a redacted query value: visible, and left as is by URL parsers. */
export const REDACTED = '[REDACTED]';

/**
 * Query parameter names that carry secrets in URLs: OAuth and OIDC (`code`, `access_token`,
 * `id_token`, `refresh_token`, `client_secret`, `state` is not one), password resets and magic
 * links (`token`, `password`), signed URLs (`signature`, `sig`, AWS `X-Amz-Signature`,
 * `X-Amz-Credential`, `X-Amz-Security-Token`) and API keys. Matched case-insensitively.
 */
export const DEFAULT_REDACTED_QUERY_PARAMS: readonly string[] = Object.freeze([
  'token',
  'access_token',
  'id_token',
  'refresh_token',
  'auth',
  'authorization',
  'code',
  'password',
  'passwd',
  'pwd',
  'secret',
  'client_secret',
  'signature',
  'sig',
  'key',
  'api_key',
  'apikey',
  'session',
  'sessionid',
  'jwt',
  'otp',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
]);

/**
 * Replaces the values of the named query parameters, in the query and in a `k=v&…` fragment
 * (`#access_token=…` of OAuth's implicit flow), by {@link REDACTED}. Everything else is kept byte
 * for byte, so the rest of the URL reads exactly as it was sent. `names` are lower-case.
 * Works on an absolute URL, a relative one, or a bare search string (`?a=1`).
 */
export function redactQuery(url: string, names: ReadonlySet<string>): string {
  if (names.size === 0) return url;
  const query = url.indexOf('?');
  const hash = url.indexOf('#');
  if (query === -1 && hash === -1) return url;
  let out = url;
  if (hash !== -1) out = out.slice(0, hash + 1) + redactFragment(out.slice(hash + 1), names);
  if (query !== -1 && (hash === -1 || query < hash)) {
    const end = hash === -1 ? out.length : hash;
    out = out.slice(0, query + 1) + redactPairs(out.slice(query + 1, end), names) + out.slice(end);
  }
  return out;
}

/** A hash route's own query (`#/reset?token=…`) is redacted like the URL's. */
function redactFragment(fragment: string, names: ReadonlySet<string>): string {
  const query = fragment.indexOf('?');
  if (query === -1) return redactPairs(fragment, names);
  return fragment.slice(0, query + 1) + redactPairs(fragment.slice(query + 1), names);
}

function redactPairs(text: string, names: ReadonlySet<string>): string {
  // Runs on every message by default, so it scans in place instead of splitting and re-joining.
  let out = '';
  let copied = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('&', start);
    if (end === -1) end = text.length;
    const eq = text.indexOf('=', start);
    if (eq !== -1 && eq < end - 1 && names.has(normalizeName(text.slice(start, eq)))) {
      out += text.slice(copied, eq + 1) + REDACTED;
      copied = end;
    }
    start = end + 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

function normalizeName(name: string): string {
  if (!name.includes('%') && !name.includes('+')) return name.toLowerCase();
  try {
    return decodeURIComponent(name.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    return name.toLowerCase();
  }
}
