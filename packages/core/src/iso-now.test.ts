import { describe, expect, it } from 'vitest';
import { isoAt, isoNow } from './iso-now.js';

describe('isoAt', () => {
  it('writes exactly what Date#toISOString writes, across seconds, days and years', () => {
    const starts = [
      0,
      Date.UTC(2024, 1, 29, 23, 59, 59, 998), // a leap day's last second
      Date.UTC(2026, 11, 31, 23, 59, 59, 990), // a year's last second
      Date.UTC(1969, 11, 31, 23, 59, 59, 500), // before the epoch
      Date.UTC(9999, 11, 31, 23, 59, 59, 995), // the last four-digit year
      Date.now(),
    ];
    for (const start of starts) {
      for (let ms = start; ms < start + 25; ms++) {
        expect(isoAt(ms)).toBe(new Date(ms).toISOString());
      }
    }
  });

  it('goes back in time correctly too (a clock set back)', () => {
    const now = Date.UTC(2026, 5, 1, 12, 0, 0, 500);
    expect(isoAt(now)).toBe('2026-06-01T12:00:00.500Z');
    expect(isoAt(now - 1000)).toBe('2026-06-01T11:59:59.500Z');
    expect(isoAt(now - 1)).toBe('2026-06-01T12:00:00.499Z');
  });

  it('falls back to Date for years past 9999', () => {
    const far = Date.UTC(10000, 0, 1, 0, 0, 0, 7);
    expect(isoAt(far)).toBe(new Date(far).toISOString());
  });

  it('gives the current time', () => {
    const before = Date.now();
    const text = isoNow();
    const after = Date.now();
    const parsed = Date.parse(text);
    expect(parsed).toBeGreaterThanOrEqual(before);
    expect(parsed).toBeLessThanOrEqual(after);
  });
});
