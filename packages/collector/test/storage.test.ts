import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../src/index.js';
import { CollectorError, startCollector } from '../src/index.js';
import { getJson, id, post } from './helpers.js';

describe('persistence with a file database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'collector-db-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps events across a restart and still recognises their messageIds as duplicates', async () => {
    const db = join(dir, 'nested', 'events.db');
    const message = { type: 'track', userId: 'u', event: 'Persisted', messageId: id() };
    const first = await startCollector({ port: 0, db });
    await post(first.url, '/v1/batch', { batch: [message] });
    await first.close();
    expect(existsSync(db)).toBe(true);

    const second = await startCollector({ port: 0, db });
    try {
      expect(second.events()).toEqual([
        expect.objectContaining({ messageId: message.messageId, event: 'Persisted' }),
      ]);
      expect(second.stats()).toMatchObject({ total: 1, stored: 0, byType: { track: 1 } });
      await post(second.url, '/v1/batch', { batch: [message] });
      expect(second.stats()).toMatchObject({ total: 1, duplicates: 1 });
    } finally {
      await second.close();
    }
  });

  it('keeps nothing across a restart in memory', async () => {
    const first = await startCollector({ port: 0, memory: true });
    await post(first.url, '/v1/track', { userId: 'u', event: 'Gone', messageId: id() });
    await first.close();
    const second = await startCollector({ port: 0, memory: true });
    expect(second.events()).toEqual([]);
    await second.close();
  });
});

describe('the query API', () => {
  let collector: RunningCollector;
  let since: string;
  beforeAll(async () => {
    collector = await startCollector({ port: 0 });
    await post(collector.url, '/v1/batch', {
      batch: [
        { type: 'page', anonymousId: 'anon-1', name: 'Home', messageId: 'q-1' },
        { type: 'track', anonymousId: 'anon-1', event: 'Product Viewed', messageId: 'q-2' },
      ],
    });
    // receivedAt has millisecond precision: keep the two requests apart so `since` can tell them apart.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await post(collector.url, '/v1/batch', {
      batch: [
        { type: 'identify', userId: 'user-1', messageId: 'q-3' },
        { type: 'track', userId: 'user-1', event: 'Order Completed', messageId: 'q-4' },
        { type: 'track', userId: 'user-2', event: 'Order Completed', messageId: 'q-5' },
      ],
    });
    since = collector.events({ messageId: 'q-3' })[0]!.receivedAt;
  });
  afterAll(() => collector.close());
  const ids = async (query: string) =>
    ((await getJson(collector.url, `/api/events${query}`)).events as { messageId: string }[]).map(
      (e) => e.messageId,
    );

  it('returns every event oldest first with the total', async () => {
    const body = await getJson(collector.url, '/api/events');
    expect(body.total).toBe(5);
    expect(body.events.map((e: { messageId: string }) => e.messageId)).toEqual([
      'q-1',
      'q-2',
      'q-3',
      'q-4',
      'q-5',
    ]);
    expect(body.events[3]).toMatchObject({
      type: 'track',
      event: 'Order Completed',
      userId: 'user-1',
      message: { receivedAt: expect.any(String) },
    });
  });

  it('filters by type, event, userId, anonymousId and messageId', async () => {
    expect(await ids('?type=track')).toEqual(['q-2', 'q-4', 'q-5']);
    expect(await ids('?event=Order%20Completed')).toEqual(['q-4', 'q-5']);
    expect(await ids('?userId=user-1')).toEqual(['q-3', 'q-4']);
    expect(await ids('?anonymousId=anon-1')).toEqual(['q-1', 'q-2']);
    expect(await ids('?messageId=q-5')).toEqual(['q-5']);
    expect(await ids('?type=track&userId=user-2')).toEqual(['q-5']);
  });

  it('filters by since and caps with limit, newest first on request', async () => {
    expect(await ids(`?since=${encodeURIComponent(since)}`)).toEqual(['q-3', 'q-4', 'q-5']);
    expect(await ids('?limit=2')).toEqual(['q-1', 'q-2']);
    expect(await ids('?limit=2&order=desc')).toEqual(['q-5', 'q-4']);
  });

  it('answers a bad filter with 400', async () => {
    expect((await fetch(`${collector.url}/api/events?since=yesterday`)).status).toBe(400);
    expect((await fetch(`${collector.url}/api/events?limit=-1`)).status).toBe(400);
  });

  it('serves the counters at GET /api/stats', async () => {
    expect(await getJson(collector.url, '/api/stats')).toEqual({
      requests: 2,
      received: 5,
      stored: 5,
      duplicates: 0,
      invalid: {},
      rejectedRequests: {},
      faults: {},
      tokensIssued: 0,
      byType: { identify: 1, page: 1, track: 3 },
      total: 5,
    });
  });

  it('offers the same filters programmatically', () => {
    expect(collector.events({ type: 'track', limit: 1 }).map((e) => e.messageId)).toEqual(['q-2']);
    expect(collector.events({ userId: 'user-1', order: 'desc' }).map((e) => e.messageId)).toEqual([
      'q-4',
      'q-3',
    ]);
  });
});

describe('waitForEvents and reset', () => {
  it('resolves once the count of matching events is stored', async () => {
    const collector = await startCollector({ port: 0 });
    try {
      const waiting = collector.waitForEvents(2, { type: 'track', timeout: 5000 });
      await post(collector.url, '/v1/batch', {
        batch: [
          { type: 'page', anonymousId: 'a', messageId: id() },
          { type: 'track', userId: 'u', event: 'One', messageId: id() },
        ],
      });
      await post(collector.url, '/v1/track', { userId: 'u', event: 'Two', messageId: id() });
      expect((await waiting).map((e) => e.event)).toEqual(['One', 'Two']);
    } finally {
      await collector.close();
    }
  });

  it('rejects with TIMEOUT saying how many events arrived', async () => {
    const collector = await startCollector({ port: 0 });
    try {
      await post(collector.url, '/v1/track', { userId: 'u', event: 'Only', messageId: id() });
      const error = await collector.waitForEvents(3, { timeout: 100 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CollectorError);
      expect(error).toMatchObject({
        code: 'TIMEOUT',
        message: 'Waited 100 ms for 3 event(s); 1 arrived.',
      });
    } finally {
      await collector.close();
    }
  });

  it('forgets events, counters and rejections on reset, also through DELETE /api/events', async () => {
    const collector = await startCollector({ port: 0 });
    try {
      await post(collector.url, '/v1/track', { userId: 'u', event: 'E', messageId: id() });
      await post(collector.url, '/v1/batch', '{', { raw: true });
      collector.reset();
      expect(collector.stats()).toMatchObject({ requests: 0, total: 0, rejectedRequests: {} });
      expect(collector.rejections()).toEqual([]);
      await post(collector.url, '/v1/track', { userId: 'u', event: 'E', messageId: id() });
      expect((await fetch(`${collector.url}/api/events`, { method: 'DELETE' })).status).toBe(200);
      expect(collector.events()).toEqual([]);
    } finally {
      await collector.close();
    }
  });

  it('refuses a busy port with PORT_IN_USE', async () => {
    const collector = await startCollector({ port: 0 });
    try {
      await expect(startCollector({ port: collector.port })).rejects.toMatchObject({
        code: 'PORT_IN_USE',
        message: expect.stringContaining(`Port ${collector.port} on 127.0.0.1 is already in use`),
      });
    } finally {
      await collector.close();
    }
  });
});
