import { afterAll, describe, expect, it } from 'vitest';
import type { ValidationError } from '../errors.js';
import { normalizeTimestamp } from './timestamp.js';

const now = () => 'NOW';
const normalize = (value: unknown) => normalizeTimestamp('track', value, now);
const failure = (value: unknown): ValidationError => {
  try {
    normalize(value);
  } catch (error) {
    return error as ValidationError;
  }
  throw new Error(`expected ${String(value)} to be refused`);
};

const originalTz = process.env.TZ;
afterAll(() => {
  if (originalTz === undefined) delete process.env.TZ;
  else process.env.TZ = originalTz;
});

// Node re-reads TZ when it changes, so each block really runs in that zone (checked first).
describe.each([
  ['America/New_York', 300],
  ['Asia/Kolkata', -330],
])('timestamps with TZ=%s', (zone, offsetInJanuary) => {
  it('runs in that time zone', () => {
    process.env.TZ = zone;
    expect(new Date(2026, 0, 1).getTimezoneOffset()).toBe(offsetInJanuary);
  });

  it('sends a string with an offset as that instant, in UTC with milliseconds', () => {
    process.env.TZ = zone;
    expect(normalize('2026-01-01T10:00:00Z')).toBe('2026-01-01T10:00:00.000Z');
    expect(normalize('2026-01-01T10:00:00+02:00')).toBe('2026-01-01T08:00:00.000Z');
    expect(normalize('2026-01-01 10:00-0500')).toBe('2026-01-01T15:00:00.000Z');
    expect(normalize('2012-10-17T18:58:57.911123Z')).toBe('2012-10-17T18:58:57.911Z');
    expect(normalize('2024-02-29T00:00:00z')).toBe('2024-02-29T00:00:00.000Z');
    expect(normalize(new Date(Date.UTC(2026, 0, 1, 10)))).toBe('2026-01-01T10:00:00.000Z');
    expect(normalize(undefined)).toBe('NOW');
  });

  it('refuses a string without an offset instead of reading it in the host time zone', () => {
    process.env.TZ = zone;
    for (const value of ['2026-01-01T10:00:00', '2026-01-01 10:00', '2026-01-01T10:00:00.123']) {
      const error = failure(value);
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.field).toBe('timestamp');
      expect(error.message).toContain('without an offset it would be read in the host time zone');
    }
  });

  it('refuses a date alone, which names no instant', () => {
    process.env.TZ = zone;
    expect(failure('2026-01-01').message).toContain(
      'a date alone names no instant: add a time and an offset',
    );
  });

  it('refuses impossible calendar dates instead of rolling them over', () => {
    process.env.TZ = zone;
    for (const value of [
      '2026-02-30T10:00:00Z',
      '2025-02-29T10:00:00Z',
      '2026-13-01T10:00:00Z',
      '2026-04-31T10:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T10:60:00Z',
      '2026-01-01T10:00:60Z',
      '2026-01-01T10:00:00+24:00',
    ]) {
      const error = failure(value);
      expect(error.field).toBe('timestamp');
      expect(error.message).toContain('is not a date on the calendar');
    }
  });

  it('refuses other types and invalid Dates, naming the received type', () => {
    process.env.TZ = zone;
    expect(failure(1700000000000).message).toContain('received number 1700000000000');
    expect(failure(new Date('nope')).message).toContain('the Date is invalid');
    expect(failure('yesterday').message).toContain('received string "yesterday"');
  });
});
