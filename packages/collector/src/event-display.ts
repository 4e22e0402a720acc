import type { StoredEvent } from './event-store.js';

/**
 * What leaves the collector over HTTP (the debugger page, `/api/events`): the write key is masked,
 * so a shared screen or a copied URL never shows it. `events()` in-process keeps the full key.
 */
export function forDisplay(event: StoredEvent): StoredEvent {
  return event.writeKey === undefined ? event : { ...event, writeKey: mask(event.writeKey) };
}

/** The first four characters of a write key and `…`. */
export function mask(writeKey: string): string {
  return writeKey.length <= 4 ? '****' : `${writeKey.slice(0, 4)}…`;
}
