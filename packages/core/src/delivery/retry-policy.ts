/** Longest `Retry-After` honoured, in milliseconds; a larger value is capped, not obeyed. */
export const MAX_RETRY_AFTER = 300_000;

/**
 * Whether a status is worth another attempt (the policy of Segment's Node SDK 3.1):
 * 408, 410, 429, 460 and 5xx are, except 501 and 505; every other 4xx is final.
 */
export function isRetriableStatus(status: number): boolean {
  if (status === 408 || status === 410 || status === 429 || status === 460) return true;
  if (status >= 500) return status !== 501 && status !== 505;
  return status < 200;
}

/**
 * Full-jitter exponential backoff: a uniform wait in `[0, min(cap, base × 2^retry))`.
 * `retry` counts from 0 for the first retry.
 */
export function backoffDelay(
  retry: number,
  base: number,
  cap: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(cap, base * 2 ** Math.min(retry, 30));
  return Math.floor(random() * ceiling);
}

/**
 * Parses `Retry-After` as seconds or an HTTP date; returns milliseconds capped at 300 s, or
 * `undefined` when absent or unparseable.
 */
export function parseRetryAfter(
  value: string | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    const date = Date.parse(trimmed);
    if (Number.isNaN(date)) return undefined;
    ms = date - now;
  }
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER);
}
