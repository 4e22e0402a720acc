import type { MessageContext, Properties, WireMessage } from '../messages/types.js';
import { anonymizeIp } from './anonymize-ip.js';
import type { ResolvedPrivacy } from './privacy-options.js';
import { redactQuery } from './redact-query.js';

type Page = NonNullable<MessageContext['page']>;

/**
 * Applies the privacy rules to a built message. The message's own object and its `context` are
 * fresh (the builder made them), so they are changed in place; `context.page` and `properties`
 * may be shared with the request scope or the caller, so they are copied before any change.
 */
export function applyPrivacy(message: WireMessage, privacy: ResolvedPrivacy): void {
  const context = message.context;
  if (privacy.ip !== 'keep' && context.ip !== undefined) {
    const ip =
      privacy.ip === 'anonymize' && typeof context.ip === 'string'
        ? memoized('ip', context.ip, privacy, anonymizeIp)
        : undefined;
    if (ip === undefined) delete context.ip;
    else context.ip = ip;
  }
  const page = context.page;
  if (typeof page === 'object' && page !== null) {
    const scrubbed = scrubUrls(page, privacy);
    if (scrubbed !== page) context.page = scrubbed;
  }
  if (message.type === 'page' && message.properties !== undefined) {
    message.properties = scrubUrls(message.properties, privacy);
  }
}

/** The object with `url`, `search` and `referrer` scrubbed; the same object when nothing changed. */
function scrubUrls<T extends Page | Properties>(fields: T, privacy: ResolvedPrivacy): T {
  const { url, search, referrer } = fields;
  const nextUrl = typeof url === 'string' ? redact(url, privacy) : url;
  const nextSearch = typeof search === 'string' ? redact(search, privacy) : search;
  const nextReferrer = typeof referrer === 'string' ? scrubReferrer(referrer, privacy) : referrer;
  if (nextUrl === url && nextSearch === search && nextReferrer === referrer) return fields;
  const out: Record<string, unknown> = { ...fields };
  if (nextUrl !== url) out.url = nextUrl;
  if (nextSearch !== search) out.search = nextSearch;
  if (nextReferrer === undefined) delete out.referrer;
  else if (nextReferrer !== referrer) out.referrer = nextReferrer;
  return out as T;
}

function scrubReferrer(referrer: string, privacy: ResolvedPrivacy): string | undefined {
  if (privacy.referrer === 'omit') return undefined;
  if (privacy.referrer === 'origin') return originOf(referrer, privacy);
  return redact(referrer, privacy);
}

/**
 * Every message of a request carries the same URLs, and this runs on every message by default:
 * remember recent answers. Bounded, and keyed by the text itself, so it can never go stale.
 */
type MemoKind = 'ip' | 'redact' | 'origin';
const memos = new WeakMap<ResolvedPrivacy, Record<MemoKind, Map<string, string | undefined>>>();
const MEMO_SIZE = 512;

function memoized(
  kind: MemoKind,
  input: string,
  privacy: ResolvedPrivacy,
  compute: (input: string) => string | undefined,
): string | undefined {
  let all = memos.get(privacy);
  if (all === undefined) {
    all = { ip: new Map(), redact: new Map(), origin: new Map() };
    memos.set(privacy, all);
  }
  const memo = all[kind];
  if (memo.has(input)) return memo.get(input);
  const value = compute(input);
  if (memo.size >= MEMO_SIZE) memo.clear();
  memo.set(input, value);
  return value;
}

function redact(url: string, privacy: ResolvedPrivacy): string {
  if (privacy.names.size === 0 || (!url.includes('?') && !url.includes('#'))) return url;
  return memoized('redact', url, privacy, (text) => redactQuery(text, privacy.names))!;
}

/** `https://example.com/` for any URL on it; undefined when the text is not an absolute URL. */
function originOf(url: string, privacy: ResolvedPrivacy): string | undefined {
  return memoized('origin', url, privacy, (text) => {
    try {
      const origin = new URL(text).origin;
      return origin === 'null' ? undefined : `${origin}/`;
    } catch {
      return undefined;
    }
  });
}
