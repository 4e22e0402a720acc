import { ValidationError, describeValue } from '../errors.js';

/**
 * A date, a time with at least minutes, and an offset (`Z`, `+02:00`, `+0200`). Anything less
 * names no single instant: a string without an offset would be read in the host's time zone, and
 * a date alone has no time of day, so both are refused rather than guessed (#16).
 */
const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):?(\d{2}))$/i;

const RULE =
  'must be a valid Date or an ISO 8601 string with a time and an offset, such as "2026-01-01T10:00:00Z" or "2026-01-01T10:00:00+02:00"';

/** Turns a caller's `timestamp` into ISO 8601 UTC with milliseconds, or throws naming the rule. */
export function normalizeTimestamp(type: string, value: unknown, now: () => string): string {
  if (value === undefined) return now();
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw invalid(type, value, `${RULE}; the Date is invalid`);
    return value.toISOString();
  }
  if (typeof value !== 'string') throw invalid(type, value, RULE);
  const text = value.trim();
  const match = ISO_INSTANT.exec(text);
  if (match === null) {
    const hint = /^\d{4}-\d{2}-\d{2}$/.test(text)
      ? '; a date alone names no instant: add a time and an offset'
      : /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(text)
        ? '; without an offset it would be read in the host time zone: add "Z" or "+hh:mm"'
        : '';
    throw invalid(type, value, `${RULE}${hint}`);
  }
  const [, y, mo, d, h, mi, s = '00', fraction = '', zone, sign, oh, om] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59 ||
    (oh !== undefined && (Number(oh) > 23 || Number(om) > 59))
  ) {
    throw invalid(type, value, `${RULE}; ${text} is not a date on the calendar`);
  }
  const offset = zone!.toUpperCase() === 'Z' ? 'Z' : `${sign}${oh}:${om}`;
  const ms = `${fraction}000`.slice(0, 3);
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}${offset}`).toISOString();
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function invalid(type: string, value: unknown, rule: string): ValidationError {
  return new ValidationError(
    'timestamp',
    `${type}: "timestamp" ${rule}, received ${describeValue(value)}`,
  );
}
