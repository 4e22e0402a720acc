import { CollectorError } from './collector-error.js';
import type { EventFilter, EventStore, StoredEvent } from './event-store.js';

interface Waiter {
  count: number;
  filter: EventFilter;
  resolve: (events: StoredEvent[]) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** The pending `waitForEvents` calls of a collector, woken as events are stored. */
export class EventWaiters {
  readonly #store: EventStore;
  readonly #waiters = new Set<Waiter>();

  constructor(store: EventStore) {
    this.#store = store;
  }

  /** Resolves once `count` events match `filter`; rejects with `TIMEOUT` after `timeout` ms. */
  wait(count: number, filter: EventFilter, timeout: number): Promise<StoredEvent[]> {
    if (this.#store.count(filter) >= count) return Promise.resolve(this.#store.query(filter));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        count,
        filter,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          const arrived = this.#store.count(filter);
          reject(
            new CollectorError(
              'TIMEOUT',
              `Waited ${timeout} ms for ${count} event(s)${describeFilter(filter)}; ${arrived} arrived.`,
            ),
          );
        }, timeout),
      };
      this.#waiters.add(waiter);
    });
  }

  /** Resolves every waiter whose count is now reached. */
  notify(): void {
    for (const waiter of this.#waiters) {
      if (this.#store.count(waiter.filter) >= waiter.count) {
        clearTimeout(waiter.timer);
        this.#waiters.delete(waiter);
        waiter.resolve(this.#store.query(waiter.filter));
      }
    }
  }

  /** Rejects every waiter with `CLOSED`. */
  close(): void {
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(
        new CollectorError('CLOSED', 'The collector closed before the events arrived.'),
      );
    }
    this.#waiters.clear();
  }
}

function describeFilter(filter: EventFilter): string {
  const parts = Object.entries(filter).filter(([, v]) => v !== undefined);
  return parts.length === 0
    ? ''
    : ` matching ${parts.map(([k, v]) => `${k}=${String(v)}`).join(', ')}`;
}
