import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RATE_LIMIT_WAIT,
  describeTokenAnswer,
  isClockError,
  parseTokenError,
  rateLimitWait,
  tokenSchedule,
} from './token-policy.js';

const identity = (text: string) => text;

describe('tokenSchedule', () => {
  it('hands out a one-hour token for 59.5 minutes and refreshes it from 54.5 minutes', () => {
    expect(tokenSchedule(1_000, 3600)).toEqual({
      refreshAt: 1_000 + 3_270_000,
      usableUntil: 1_000 + 3_570_000,
    });
  });

  it('keeps a tenth of a short lifetime as margin and refreshes at half the usable time', () => {
    expect(tokenSchedule(0, 100)).toEqual({ refreshAt: 45_000, usableUntil: 90_000 });
    expect(tokenSchedule(0, 1)).toEqual({ refreshAt: 450, usableUntil: 900 });
  });
});

describe('rateLimitWait', () => {
  const now = Date.UTC(2026, 0, 1);

  it('waits Retry-After seconds', () => {
    expect(rateLimitWait({ 'retry-after': '3' }, now)).toBe(3_000);
  });

  it('waits until a Retry-After date', () => {
    expect(rateLimitWait({ 'retry-after': new Date(now + 7_000).toUTCString() }, now)).toBe(7_000);
  });

  it('reads X-RateLimit-Reset as relative seconds, as Segment’s Python SDK does', () => {
    expect(rateLimitWait({ 'x-ratelimit-reset': '234' }, now)).toBe(234_000);
  });

  it('reads an X-RateLimit-Reset epoch in seconds or milliseconds', () => {
    expect(rateLimitWait({ 'x-ratelimit-reset': String(now / 1000 + 12) }, now)).toBe(12_000);
    expect(rateLimitWait({ 'x-ratelimit-reset': String(now + 2_500) }, now)).toBe(2_500);
  });

  it('prefers Retry-After over X-RateLimit-Reset', () => {
    expect(rateLimitWait({ 'retry-after': '1', 'x-ratelimit-reset': '60' }, now)).toBe(1_000);
  });

  it('caps the wait at five minutes', () => {
    expect(rateLimitWait({ 'retry-after': '86400' }, now)).toBe(300_000);
    expect(rateLimitWait({ 'x-ratelimit-reset': '86400' }, now)).toBe(300_000);
  });

  it('waits five seconds when the server gives no hint', () => {
    expect(rateLimitWait({}, now)).toBe(DEFAULT_RATE_LIMIT_WAIT);
    expect(rateLimitWait({ 'x-ratelimit-reset': 'soon' }, now)).toBe(DEFAULT_RATE_LIMIT_WAIT);
  });
});

describe('token endpoint answers', () => {
  it('quotes error and error_description from a JSON answer', () => {
    const body = JSON.stringify({ error: 'invalid_client', error_description: 'Unknown key id' });
    expect(describeTokenAnswer(401, body, identity)).toBe(
      'HTTP 401: invalid_client (Unknown key id)',
    );
  });

  it('quotes a text answer, truncated to 300 characters', () => {
    expect(describeTokenAnswer(502, '  Bad gateway \n', identity)).toBe('HTTP 502: Bad gateway');
    expect(describeTokenAnswer(502, 'x'.repeat(400), identity)).toBe(
      `HTTP 502: ${'x'.repeat(300)}…`,
    );
  });

  it('says only the status when the body is empty', () => {
    expect(describeTokenAnswer(503, '', identity)).toBe('HTTP 503');
  });

  it('passes the quoted text through the scrubber', () => {
    const body = JSON.stringify({
      error: 'invalid_client',
      error_description: 'bad assertion SECRET',
    });
    expect(describeTokenAnswer(400, body, (t) => t.replace('SECRET', '[redacted]'))).toBe(
      'HTTP 400: invalid_client (bad assertion [redacted])',
    );
  });

  it('ignores non-string error fields', () => {
    expect(parseTokenError('{"error":42}')).toEqual({});
    expect(parseTokenError('null')).toEqual({});
  });

  it('recognizes the clock errors that deserve an immediate retry, and only those', () => {
    const expired = parseTokenError(
      '{"error":"invalid_request","error_description":"Token is expired"}',
    );
    const early = parseTokenError(
      '{"error":"invalid_request","error_description":"Token used before issued"}',
    );
    const other = parseTokenError(
      '{"error":"invalid_request","error_description":"Missing scope"}',
    );
    expect(isClockError(400, expired)).toBe(true);
    expect(isClockError(400, early)).toBe(true);
    expect(isClockError(400, other)).toBe(false);
    expect(isClockError(401, expired)).toBe(false);
  });
});
