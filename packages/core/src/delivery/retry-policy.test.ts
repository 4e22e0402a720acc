import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  fitDelayToDeadline,
  isRetriableStatus,
  MAX_RETRY_AFTER,
  parseRetryAfter,
} from './retry-policy.js';

describe('isRetriableStatus', () => {
  it('retries 408, 410, 429, 460 and 5xx except 501 and 505', () => {
    for (const status of [408, 410, 429, 460, 500, 502, 503, 504, 599])
      expect(isRetriableStatus(status)).toBe(true);
    for (const status of [400, 401, 403, 404, 413, 422, 501, 505])
      expect(isRetriableStatus(status)).toBe(false);
  });
});

describe('backoffDelay', () => {
  it('draws a full-jitter wait below min(cap, base × 2^retry)', () => {
    expect(backoffDelay(0, 500, 60_000, () => 0.999)).toBe(499);
    expect(backoffDelay(3, 500, 60_000, () => 0.5)).toBe(2000);
    expect(backoffDelay(10, 500, 60_000, () => 0.999)).toBe(59_940);
    expect(backoffDelay(500, 500, 60_000, () => 0.999)).toBe(59_940);
    expect(backoffDelay(4, 500, 60_000, () => 0)).toBe(0);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads seconds and HTTP dates, capped at 300 s', () => {
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('100000', now)).toBe(MAX_RETRY_AFTER);
  });
  it('ignores a missing or unparseable value, and a date in the past waits 0', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
  });
});

describe('fitDelayToDeadline', () => {
  it('shares the time left between the retries left and one more attempt', () => {
    expect(fitDelayToDeadline(5000, 3000, 5)).toBe(500);
    expect(fitDelayToDeadline(5000, 3000, 10)).toBe(272);
  });

  it('keeps a backoff that already fits', () => {
    expect(fitDelayToDeadline(120, 3000, 5)).toBe(120);
  });

  it('never waits less than 50 ms, unless the backoff is shorter', () => {
    expect(fitDelayToDeadline(5000, 100, 10)).toBe(50);
    expect(fitDelayToDeadline(5000, -20, 3)).toBe(50);
    expect(fitDelayToDeadline(10, -20, 3)).toBe(10);
  });
});
