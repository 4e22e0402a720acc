import { eventProperties, userIdFor } from '../src/event';

/** What every bench route answers. */
export const ORDER = { ok: true, order: 'ord_8f14e45fceea167a5a36' };

let served = 0;

/** The next request's user and properties, as the Express app builds them (fresh per call). */
export function nextEvent(): { userId: string; properties: Record<string, unknown> } {
  const i = served++;
  return { userId: userIdFor(i), properties: eventProperties(i) };
}
