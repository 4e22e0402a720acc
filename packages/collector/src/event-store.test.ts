import { afterEach, describe, expect, it } from 'vitest';
import type { NewEvent } from './event-store.js';
import { EventStore } from './event-store.js';

const event = (messageId: string, extra: Partial<NewEvent> = {}): NewEvent => ({
  message: { type: 'track', messageId },
  messageId,
  type: 'track',
  receivedAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});

describe('EventStore', () => {
  let store: EventStore;
  afterEach(() => store.close());

  it('stores events once and returns later copies of a messageId as duplicates', () => {
    store = new EventStore(':memory:');
    const first = store.insert([event('a'), event('b'), event('a')]);
    expect(first.stored.map((e) => e.messageId)).toEqual(['a', 'b']);
    expect(first.duplicates.map((e) => e.messageId)).toEqual(['a']);
    expect(store.insert([event('b')]).duplicates).toHaveLength(1);
    expect(store.count()).toBe(2);
  });

  it('filters by every indexed field and since, in either order, with a limit', () => {
    store = new EventStore(':memory:');
    store.insert([
      event('1', { type: 'page', anonymousId: 'anon', receivedAt: '2026-01-01T00:00:00.000Z' }),
      event('2', { event: 'Signed Up', userId: 'u1', receivedAt: '2026-01-02T00:00:00.000Z' }),
      event('3', {
        event: 'Order Completed',
        userId: 'u1',
        receivedAt: '2026-01-03T00:00:00.000Z',
      }),
    ]);
    const ids = (filter: Parameters<EventStore['query']>[0]) =>
      store.query(filter).map((e) => e.messageId);
    expect(ids({ type: 'page' })).toEqual(['1']);
    expect(ids({ event: 'Signed Up' })).toEqual(['2']);
    expect(ids({ userId: 'u1' })).toEqual(['2', '3']);
    expect(ids({ anonymousId: 'anon' })).toEqual(['1']);
    expect(ids({ messageId: '3' })).toEqual(['3']);
    expect(ids({ since: '2026-01-02T00:00:00.000Z' })).toEqual(['2', '3']);
    expect(ids({ order: 'desc', limit: 2 })).toEqual(['3', '2']);
    expect(store.countByType()).toEqual({ page: 1, track: 2 });
  });

  it('keeps the message as stored and omits absent optional fields', () => {
    store = new EventStore(':memory:');
    store.insert([event('x', { message: { type: 'track', nested: { a: [1, '<b>'] } } })]);
    const [stored] = store.query();
    expect(stored).toEqual({
      seq: 1,
      message: { type: 'track', nested: { a: [1, '<b>'] } },
      messageId: 'x',
      type: 'track',
      receivedAt: '2026-01-01T00:00:00.000Z',
    });
  });

  it('forgets everything on clear', () => {
    store = new EventStore(':memory:');
    store.insert([event('a')]);
    store.clear();
    expect(store.query()).toEqual([]);
    expect(store.insert([event('a')]).stored).toHaveLength(1);
  });
});
