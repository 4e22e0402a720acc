import { didYouMean } from '../did-you-mean.js';
import { describeValue } from '../errors.js';
import { DEFAULT_REDACTED_QUERY_PARAMS } from './redact-query.js';

/**
 * What leaves the process about the request behind an event. Applied by the client to every
 * message, whichever adapter (or your own code) put the facts in `context`, so every framework
 * answers the same way.
 */
export interface PrivacyOptions {
  /**
   * `context.ip`: `'keep'` it, `'anonymize'` it (IPv4: last octet zeroed; IPv6: last 80 bits
   * zeroed) or `'omit'` it. Defaults to `'keep'`.
   */
  ip?: 'keep' | 'anonymize' | 'omit';
  /**
   * Query parameters whose values are replaced by `[REDACTED]` in `context.page.url`,
   * `context.page.search`, `context.page.referrer` and a page call's `properties.url`,
   * `properties.search` and `properties.referrer`. Names match case-insensitively. `[]` turns
   * redaction off; extend the default with `[...DEFAULT_REDACTED_QUERY_PARAMS, 'invite']`.
   * Defaults to `DEFAULT_REDACTED_QUERY_PARAMS`.
   */
  redactQueryParams?: readonly string[];
  /**
   * The referrer (`context.page.referrer`, a page call's `properties.referrer`): `'keep'` it (with
   * its query redacted), keep only its `'origin'` (`https://example.com/`), or `'omit'` it.
   * Defaults to `'keep'`.
   */
  referrer?: 'keep' | 'origin' | 'omit';
}

/** {@link PrivacyOptions} with defaults applied; `names` are lower-case. */
export interface ResolvedPrivacy {
  ip: 'keep' | 'anonymize' | 'omit';
  names: ReadonlySet<string>;
  referrer: 'keep' | 'origin' | 'omit';
}

const KNOWN: readonly string[] = ['ip', 'redactQueryParams', 'referrer'];

/** Applies defaults and adds a line to `problems` for every bad field. */
export function resolvePrivacy(value: unknown, problems: string[]): ResolvedPrivacy {
  const resolved: ResolvedPrivacy = {
    ip: 'keep',
    names: new Set(DEFAULT_REDACTED_QUERY_PARAMS),
    referrer: 'keep',
  };
  if (value === undefined) return resolved;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(
      `"privacy" must be an object such as { ip: 'anonymize' }, received ${describeValue(value)}`,
    );
    return resolved;
  }
  const options = value as Record<string, unknown>;
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const given = options[name];
    if (given === undefined) return fallback;
    if (typeof given === 'string' && (allowed as readonly string[]).includes(given))
      return given as T;
    problems.push(
      `"privacy.${name}" must be ${allowed.map((a) => `'${a}'`).join(', ')}, received ${describeValue(given)}`,
    );
    return fallback;
  };
  resolved.ip = oneOf('ip', ['keep', 'anonymize', 'omit'] as const, 'keep');
  resolved.referrer = oneOf('referrer', ['keep', 'origin', 'omit'] as const, 'keep');
  const names = options.redactQueryParams;
  if (names !== undefined) {
    if (!Array.isArray(names) || names.some((n) => typeof n !== 'string' || n === '')) {
      problems.push(
        `"privacy.redactQueryParams" must be an array of non-empty strings, received ${describeValue(names)}`,
      );
    } else {
      resolved.names = new Set((names as string[]).map((n) => n.toLowerCase()));
    }
  }
  for (const key of Object.keys(options)) {
    if (KNOWN.includes(key) || options[key] === undefined) continue;
    const suggestion = didYouMean(key, KNOWN);
    problems.push(
      `"privacy.${key}" is not an option; ${suggestion === undefined ? 'known: "ip", "redactQueryParams", "referrer"' : `did you mean privacy.${suggestion}?`}`,
    );
  }
  return resolved;
}
