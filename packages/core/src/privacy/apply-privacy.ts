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
        ? anonymizeIp(context.ip)
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
  let out = fields;
  const set = (key: 'url' | 'search' | 'referrer', value: string | undefined) => {
    if (value === fields[key]) return;
    if (out === fields) out = { ...fields };
    if (value === undefined) delete out[key];
    else (out as Record<string, unknown>)[key] = value;
  };
  for (const key of ['url', 'search'] as const) {
    const value = fields[key];
    if (typeof value === 'string') set(key, redactQuery(value, privacy.names));
  }
  const referrer = fields.referrer;
  if (typeof referrer === 'string') {
    if (privacy.referrer === 'omit') set('referrer', undefined);
    else if (privacy.referrer === 'origin') set('referrer', originOf(referrer));
    else set('referrer', redactQuery(referrer, privacy.names));
  }
  return out;
}

/** `https://example.com/` for any URL on it; undefined when the text is not an absolute URL. */
function originOf(url: string): string | undefined {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? undefined : `${origin}/`;
  } catch {
    return undefined;
  }
}
