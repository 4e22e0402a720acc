/** `000Z` … `999Z`: the milliseconds and zone of an ISO timestamp, built once. */
const MILLIS = Array.from({ length: 1000 }, (_, i) => `${String(i).padStart(3, '0')}Z`);

let lastMs = Number.NaN;
let lastIso = '';
let lastSecond = Number.NaN;
/** `YYYY-MM-DDTHH:MM:SS.` of `lastSecond`. */
let secondPrefix = '';

/**
 * `new Date(ms).toISOString()`, cheaper: formatting a Date is a measurable share of a call, and
 * calls in a busy server each land in a new millisecond, so the text up to the second is reused
 * for the whole second and only the milliseconds are appended.
 */
export function isoAt(ms: number): string {
  if (ms === lastMs) return lastIso;
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    const iso = new Date(second * 1000).toISOString();
    // Years past 9999 (or before 0) are written with a sign and six digits: no shortcut for those.
    if (iso.length !== 24) return new Date(ms).toISOString();
    lastSecond = second;
    secondPrefix = iso.slice(0, 20);
  }
  lastMs = ms;
  lastIso = secondPrefix + MILLIS[ms - second * 1000]!;
  return lastIso;
}

/** The call time as ISO 8601 text with milliseconds, in UTC. */
export function isoNow(): string {
  return isoAt(Date.now());
}
