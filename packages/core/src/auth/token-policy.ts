import { MAX_RETRY_AFTER, parseRetryAfter } from '../delivery/retry-policy.js';

/** Wait after a 429 that carries neither `Retry-After` nor `X-RateLimit-Reset`, in milliseconds. */
export const DEFAULT_RATE_LIMIT_WAIT = 5_000;
/** Lifetime assumed when a token response has no usable `expires_in`, in seconds. */
export const DEFAULT_TOKEN_LIFETIME = 60;
/** A token stops being handed out this long before it expires (at most), so it never expires in flight. */
export const EXPIRY_MARGIN = 30_000;
/** A refresh starts this long before the token stops being handed out (at most half its lifetime). */
export const REFRESH_AHEAD = 5 * 60_000;

/** When a cached token should be replaced in the background, and when it must no longer be used. */
export interface TokenSchedule {
  /** From then on, `getToken` still returns the token but starts a refresh. */
  refreshAt: number;
  /** From then on, `getToken` waits for a new token. */
  usableUntil: number;
}

/**
 * The schedule of a token requested at `requestedAt` (local ms) valid for `expiresIn` seconds.
 * Measured from the request, not the response, so network time only makes it more conservative.
 * For `expires_in: 3600`: refresh from 54.5 min, hand out until 59.5 min.
 */
export function tokenSchedule(requestedAt: number, expiresIn: number): TokenSchedule {
  const lifetime = expiresIn * 1000;
  const usable = lifetime - Math.min(EXPIRY_MARGIN, lifetime / 10);
  return {
    refreshAt: requestedAt + usable - Math.min(REFRESH_AHEAD, usable / 2),
    usableUntil: requestedAt + usable,
  };
}

/**
 * Milliseconds to wait after a 429 from the token endpoint: `Retry-After` (seconds or an HTTP
 * date), else `X-RateLimit-Reset` (relative seconds, as Segment's Python SDK reads it; an epoch
 * in seconds or milliseconds is recognized too), else 5 s. Capped at 300 s.
 */
export function rateLimitWait(headers: Record<string, string>, now: number = Date.now()): number {
  const retryAfter = parseRetryAfter(headers['retry-after'], now);
  if (retryAfter !== undefined) return retryAfter;
  const reset = headers['x-ratelimit-reset']?.trim();
  if (reset !== undefined && /^\d+(\.\d+)?$/.test(reset)) {
    const value = Number(reset);
    const ms = value > 1e12 ? value - now : value > 1e9 ? value * 1000 - now : value * 1000;
    return Math.min(Math.max(Math.ceil(ms), 0), MAX_RETRY_AFTER);
  }
  return DEFAULT_RATE_LIMIT_WAIT;
}

/** The standard error fields of a token endpoint's answer (RFC 6749 §5.2), when it sent JSON. */
export interface TokenErrorBody {
  error?: string;
  errorDescription?: string;
}

export function parseTokenError(body: string): TokenErrorBody {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (typeof parsed !== 'object' || parsed === null) return {};
    const { error, error_description: description } = parsed as Record<string, unknown>;
    return {
      ...(typeof error === 'string' ? { error } : {}),
      ...(typeof description === 'string' ? { errorDescription: description } : {}),
    };
  } catch {
    return {};
  }
}

/**
 * A 400 the server sends when the assertion's `iat`/`exp` do not fit its clock. The skew is learnt
 * from that same response, so one immediate retry succeeds (as Segment's Python SDK does).
 */
export function isClockError(status: number, answer: TokenErrorBody): boolean {
  return (
    status === 400 &&
    answer.error === 'invalid_request' &&
    /token is expired|token used before issued/i.test(answer.errorDescription ?? '')
  );
}

/**
 * What the server answered, for error messages: `HTTP 400: invalid_client (Unknown key id)`.
 * `scrub` removes secrets the body might echo (the assertion).
 */
export function describeTokenAnswer(
  status: number,
  body: string,
  scrub: (text: string) => string,
): string {
  const answer = parseTokenError(body);
  let detail: string;
  if (answer.error !== undefined || answer.errorDescription !== undefined) {
    detail = [
      answer.error,
      answer.errorDescription !== undefined ? `(${answer.errorDescription})` : undefined,
    ]
      .filter((part) => part !== undefined)
      .join(' ');
  } else {
    detail = body.trim();
  }
  detail = scrub(detail);
  if (detail.length > 300) detail = `${detail.slice(0, 300)}…`;
  return detail === '' ? `HTTP ${status}` : `HTTP ${status}: ${detail}`;
}
