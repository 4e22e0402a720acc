import type { MessageContext } from '../messages/types.js';

/** Which request facts go into `context`. Each defaults to `true`. */
export interface RequestContextOptions {
  /** The client ip, as resolved by the caller (trust-proxy aware). Omitted when undefined. */
  ip?: string | undefined;
  userAgent?: boolean;
  locale?: boolean;
  page?: boolean;
  requestId?: boolean;
}

/** A Node `IncomingMessage`-like request: only what is read. */
export interface NodeRequestLike {
  headers: Record<string, string | string[] | undefined>;
  url?: string | undefined;
  /** Express's `originalUrl`, preferred over `url` when present. */
  originalUrl?: string | undefined;
  /** Express's `protocol` (trust-proxy aware); otherwise inferred from the socket. */
  protocol?: string | undefined;
  socket?: object | undefined;
}

/**
 * Turns a Node request into Segment context: `ip` (given by the caller), `userAgent`, `locale`
 * from Accept-Language, `page.{url,path,search,referrer}` and `requestId` from X-Request-Id.
 * Cookies and authorization headers are never copied.
 */
export function requestContextFromNode(
  req: NodeRequestLike,
  options: RequestContextOptions = {},
): MessageContext {
  const header = (name: string): string | undefined => {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const protocol =
    req.protocol ??
    ((req.socket as { encrypted?: boolean } | undefined)?.encrypted === true ? 'https' : 'http');
  const host = header('host');
  const target = req.originalUrl ?? req.url ?? '/';
  return buildContext(
    header,
    host === undefined ? undefined : `${protocol}://${host}${target}`,
    target,
    options,
  );
}

/** Turns a Fetch `Request` into Segment context; see {@link requestContextFromNode}. */
export function requestContextFromFetch(
  request: { url: string; headers: { get(name: string): string | null } },
  options: RequestContextOptions = {},
): MessageContext {
  const header = (name: string): string | undefined => request.headers.get(name) ?? undefined;
  return buildContext(header, request.url, undefined, options);
}

/**
 * Builds Segment context from a header lookup and the request URL (absolute, or a relative target
 * when the host is unknown): the shared core of every request-context function.
 */
export function buildContext(
  header: (name: string) => string | undefined,
  absoluteUrl: string | undefined,
  relativeTarget: string | undefined,
  options: RequestContextOptions,
): MessageContext {
  const context: MessageContext = {};
  if (options.ip !== undefined) context.ip = options.ip;
  if (options.userAgent !== false) {
    const userAgent = header('user-agent');
    if (userAgent !== undefined) context.userAgent = userAgent;
  }
  if (options.locale !== false) {
    const locale = parseLocale(header('accept-language'));
    if (locale !== undefined) context.locale = locale;
  }
  if (options.page !== false) {
    const page = parsePage(absoluteUrl, relativeTarget);
    const referrer = header('referer');
    if (referrer !== undefined) page.referrer = referrer;
    if (Object.keys(page).length > 0) context.page = page;
  }
  if (options.requestId !== false) {
    const requestId = header('x-request-id');
    if (requestId !== undefined && requestId.length <= 200) context.requestId = requestId;
  }
  return context;
}

function parsePage(
  absoluteUrl: string | undefined,
  relativeTarget: string | undefined,
): NonNullable<MessageContext['page']> {
  const simple = absoluteUrl === undefined ? undefined : simplePage(absoluteUrl);
  if (simple !== undefined) return simple;
  try {
    const url = new URL(absoluteUrl ?? relativeTarget ?? '/', 'http://localhost');
    const page: NonNullable<MessageContext['page']> = { path: url.pathname, search: url.search };
    if (absoluteUrl !== undefined) page.url = url.href;
    return page;
  } catch {
    return {};
  }
}

// `http(s)://host[:port]/path[?query]` in the shape the URL parser would leave untouched: a
// lower-case DNS name, no default or zero-padded port, no dot segments, no character it would
// percent-encode. Most request URLs are; they skip `new URL` (about a µs per request).
const SIMPLE_URL =
  /^(https?):\/\/((?:[a-z0-9-]+\.)*([a-z0-9-]+))(?::([1-9][0-9]{0,4}))?(\/[\w\-.~!$&()*+,;=:@/%]*)(\?[\w\-.~!$&()*+,;=:@/?%]*)?$/;
const DOT_SEGMENT = /\/(?:\.|%2e){1,2}(?:\/|$)/i;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function simplePage(url: string): NonNullable<MessageContext['page']> | undefined {
  const match = SIMPLE_URL.exec(url);
  if (match === null) return undefined;
  const [, scheme, host, lastLabel, port, path, query] = match as unknown as string[];
  // A host ending in a number is an IPv4 address to the parser, which rewrites `127.1`; IDNA
  // labels are validated by it.
  if (/^\d/.test(lastLabel!) ? !IPV4.test(host!) : host!.includes('xn--')) return undefined;
  if (port !== undefined && (Number(port) > 65535 || port === (scheme === 'https' ? '443' : '80')))
    return undefined;
  if (DOT_SEGMENT.test(path!)) return undefined;
  return { path, search: query === undefined || query === '?' ? '' : query, url };
}

/** The highest-weighted language tag of an Accept-Language header (`fr-CH, fr;q=0.9` → `fr-CH`). */
export function parseLocale(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  // A client sends the same header on every request.
  if (header === lastLocaleHeader) return lastLocale;
  lastLocale = pickLocale(header);
  lastLocaleHeader = header;
  return lastLocale;
}

let lastLocaleHeader: string | undefined;
let lastLocale: string | undefined;

function pickLocale(header: string): string | undefined {
  let best: string | undefined;
  let bestQ = -1;
  for (const part of header.split(',')) {
    const [tag, ...params] = part.trim().split(';');
    if (tag === undefined || tag === '' || tag === '*') continue;
    let q = 1;
    for (const param of params) {
      const [k, v] = param.trim().split('=');
      if (k === 'q' && v !== undefined) q = Number(v);
    }
    if (Number.isFinite(q) && q > bestQ) {
      best = tag;
      bestQ = q;
    }
  }
  return best;
}
