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

/** Shortest backoff wait while a deadline holds: below it, attempts would hammer the API. */
export const MIN_DEADLINE_DELAY = 50;

/**
 * The backoff wait while a flush or close has a deadline: no longer than the time left shared
 * between the retries left and one more attempt, so the budget is spent on attempts instead of
 * sleeping past it; never below {@link MIN_DEADLINE_DELAY} (unless the backoff itself is shorter).
 * `retriesLeft` counts the retry about to wait.
 */
export function fitDelayToDeadline(backoff: number, timeLeft: number, retriesLeft: number): number {
  const share = Math.floor(Math.max(0, timeLeft) / (Math.max(1, retriesLeft) + 1));
  return Math.min(backoff, Math.max(MIN_DEADLINE_DELAY, share));
}
