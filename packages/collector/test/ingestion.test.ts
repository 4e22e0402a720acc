import { Analytics } from '@tributary/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../src/index.js';
import { MAX_REQUEST_BYTES, startCollector } from '../src/index.js';
import { basic, id, post } from './helpers.js';

describe('ingestion with any write key accepted (the default)', () => {
  let collector: RunningCollector;
  beforeAll(async () => {
    collector = await startCollector({ port: 0 });
  });
  afterEach(() => collector.reset());
  afterAll(() => collector.close());

  it('listens on a random port on 127.0.0.1 when asked for port 0', () => {
    expect(collector.port).toBeGreaterThan(0);
    expect(collector.url).toBe(`http://127.0.0.1:${collector.port}`);
  });

  it('stores a batch from POST /v1/batch and answers 200 {"success":true}', async () => {
    const messages = [
      {
        type: 'track',
        userId: 'u1',
        event: 'Signed Up',
        messageId: id(),
        properties: { plan: 'pro' },
      },
      { type: 'identify', userId: 'u1', messageId: id(), traits: { email: 'a@b.c' } },
    ];
    const res = await post(collector.url, '/v1/batch', {
      batch: messages,
      writeKey: 'wk',
      sentAt: '2026-01-01T00:00:00.000Z',
    });
    expect(res).toMatchObject({ status: 200, body: { success: true } });
    expect(res.body).toEqual({ success: true });
    const events = collector.events();
    expect(events.map((e) => e.type)).toEqual(['track', 'identify']);
    expect(events[0]).toMatchObject({
      event: 'Signed Up',
      userId: 'u1',
      writeKey: 'wk',
      sentAt: '2026-01-01T00:00:00.000Z',
    });
  });

  it('stores each message exactly as received plus receivedAt', async () => {
    const message = {
      type: 'track',
      anonymousId: 'a1',
      event: 'E',
      messageId: id(),
      context: { library: { name: 'x' } },
      extra: [1, null, 'é'],
    };
    const before = Date.now();
    await post(collector.url, '/v1/batch', { batch: [message] });
    const [stored] = collector.events();
    const { receivedAt, ...rest } = stored!.message;
    expect(rest).toEqual(message);
    expect(receivedAt).toBe(stored!.receivedAt);
    expect(Date.parse(receivedAt as string)).toBeGreaterThanOrEqual(before - 5);
  });

  it('accepts POST /v1/import like a batch', async () => {
    const res = await post(collector.url, '/v1/import', {
      batch: [{ type: 'page', anonymousId: 'a', name: 'Home', messageId: id() }],
    });
    expect(res.status).toBe(200);
    expect(collector.events({ type: 'page' })).toHaveLength(1);
  });

  it.each([
    ['identify', { userId: 'u', traits: { name: 'N' } }],
    ['track', { userId: 'u', event: 'Clicked' }],
    ['page', { anonymousId: 'a', name: 'Home' }],
    ['screen', { userId: 'u', name: 'Settings' }],
    ['group', { userId: 'u', groupId: 'g' }],
    ['alias', { userId: 'u', previousId: 'a' }],
  ])('stores a single call to /v1/%s with its type taken from the path', async (type, body) => {
    const messageId = id(type);
    const res = await post(collector.url, `/v1/${type}`, { ...body, messageId, writeKey: 'wk' });
    expect(res).toMatchObject({ status: 200, body: { success: true } });
    const [stored] = collector.events({ messageId });
    expect(stored).toMatchObject({ type, writeKey: 'wk' });
    expect(stored!.message).toMatchObject({ ...body, type, messageId });
    expect(stored!.message).not.toHaveProperty('writeKey');
  });

  it('accepts gzip request bodies', async () => {
    const batch = Array.from({ length: 20 }, (_, i) => ({
      type: 'track',
      userId: 'u',
      event: `E${i}`,
      messageId: id(),
    }));
    const res = await post(
      collector.url,
      '/v1/batch',
      { batch },
      { gzip: true, headers: { authorization: basic('wk') } },
    );
    expect(res.status).toBe(200);
    expect(collector.events()).toHaveLength(20);
  });

  it('answers malformed JSON with 400 invalid_json', async () => {
    const res = await post(collector.url, '/v1/batch', '{"batch": [', { raw: true });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      success: false,
      code: 'invalid_json',
      message: expect.stringContaining('not valid JSON'),
    });
    expect(collector.stats().rejectedRequests).toEqual({ invalid_json: 1 });
  });

  it('answers a corrupt gzip body with 400 invalid_gzip', async () => {
    const res = await post(collector.url, '/v1/batch', 'not gzip', {
      raw: true,
      headers: { 'content-encoding': 'gzip' },
    });
    expect(res).toMatchObject({ status: 400, body: { code: 'invalid_gzip' } });
  });

  it('answers a message over 32 KB with 400 message_too_large and stores nothing from the request', async () => {
    const big = {
      type: 'track',
      userId: 'u',
      event: 'Big',
      messageId: id(),
      properties: { blob: 'x'.repeat(33 * 1024) },
    };
    const small = { type: 'track', userId: 'u', event: 'Small', messageId: id() };
    const res = await post(collector.url, '/v1/batch', { batch: [small, big] });
    expect(res).toMatchObject({ status: 400, body: { success: false, code: 'message_too_large' } });
    expect(collector.events()).toEqual([]);
  });

  it('answers a request over 500 KB with 400 request_too_large, also when it is gzipped', async () => {
    const batch = Array.from({ length: 20 }, () => ({
      type: 'track',
      userId: 'u',
      event: 'E',
      messageId: id(),
      properties: { p: 'y'.repeat(30_000) },
    }));
    expect(JSON.stringify({ batch }).length).toBeGreaterThan(MAX_REQUEST_BYTES);
    const plain = await post(collector.url, '/v1/batch', { batch });
    expect(plain).toMatchObject({ status: 400, body: { code: 'request_too_large' } });
    const gzipped = await post(collector.url, '/v1/batch', { batch }, { gzip: true });
    expect(gzipped).toMatchObject({ status: 400, body: { code: 'request_too_large' } });
    expect(collector.events()).toEqual([]);
  });

  it('reports messages without userId/anonymousId or event name in the answer, counts them and stores the rest', async () => {
    const good = { type: 'track', userId: 'u', event: 'Fine', messageId: id() };
    const res = await post(collector.url, '/v1/batch', {
      batch: [
        good,
        { type: 'track', event: 'Nobody', messageId: 'm-anon' },
        { type: 'track', userId: 'u', messageId: 'm-event' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      rejected: [
        {
          index: 1,
          messageId: 'm-anon',
          code: 'no_user_anon_id',
          message: 'A track message needs a userId or an anonymousId.',
        },
        {
          index: 2,
          messageId: 'm-event',
          code: 'missing_event',
          message: 'A track message needs an event name.',
        },
      ],
    });
    expect(collector.events().map((e) => e.messageId)).toEqual([good.messageId]);
    expect(collector.stats()).toMatchObject({
      received: 3,
      stored: 1,
      invalid: { no_user_anon_id: 1, missing_event: 1 },
    });
  });

  it('counts a repeated messageId as a duplicate and stores it once', async () => {
    const message = { type: 'track', userId: 'u', event: 'Once', messageId: id() };
    await post(collector.url, '/v1/batch', { batch: [message] });
    const again = await post(collector.url, '/v1/batch', { batch: [message, message] });
    expect(again.body).toEqual({
      success: true,
      duplicates: [message.messageId, message.messageId],
    });
    expect(collector.events()).toHaveLength(1);
    expect(collector.stats()).toMatchObject({ received: 3, stored: 1, duplicates: 2 });
  });

  it('answers unknown paths with 404 and wrong methods with 405', async () => {
    expect((await fetch(`${collector.url}/v1/nope`, { method: 'POST' })).status).toBe(404);
    const res = await fetch(`${collector.url}/v1/batch`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('answers CORS preflights on the ingestion endpoints', async () => {
    const res = await fetch(`${collector.url}/v1/batch`, { method: 'OPTIONS' });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('receives what the core client sends, gzipped, with Basic auth', async () => {
    const analytics = new Analytics({
      writeKey: 'core-key',
      host: collector.url,
      gzip: true,
      flushInterval: 20,
    });
    analytics.identify('user-9', { email: 'ada@example.com' });
    analytics.track('user-9', 'Order Completed', { total: 12.5 });
    analytics.page({ anonymousId: 'anon-9', name: 'Home' });
    analytics.screen('user-9', null, 'Settings');
    analytics.group('user-9', 'group-1', { name: 'Acme' });
    analytics.alias('anon-9', 'user-9');
    const report = await analytics.close();
    expect(report.delivered).toBe(6);
    const events = await collector.waitForEvents(6);
    expect(events.map((e) => e.type)).toEqual([
      'identify',
      'track',
      'page',
      'screen',
      'group',
      'alias',
    ]);
    expect(events.every((e) => e.writeKey === 'core-key')).toBe(true);
    expect(collector.stats().byType).toEqual({
      alias: 1,
      group: 1,
      identify: 1,
      page: 1,
      screen: 1,
      track: 1,
    });
  });
});

describe('ingestion with write keys enforced', () => {
  let collector: RunningCollector;
  beforeAll(async () => {
    collector = await startCollector({ port: 0, writeKeys: ['good-key', 'second-key'] });
  });
  afterAll(() => collector.close());
  const message = () => ({ type: 'track', userId: 'u', event: 'E', messageId: id() });

  it('accepts a configured key sent as Basic auth', async () => {
    const res = await post(
      collector.url,
      '/v1/batch',
      { batch: [message()] },
      { headers: { authorization: basic('second-key') } },
    );
    expect(res.status).toBe(200);
  });

  it('accepts a configured key sent in the body', async () => {
    expect(
      (await post(collector.url, '/v1/batch', { batch: [message()], writeKey: 'good-key' })).status,
    ).toBe(200);
    expect(
      (await post(collector.url, '/v1/track', { ...message(), writeKey: 'good-key' })).status,
    ).toBe(200);
  });

  it('answers an unknown key with 401 and a JSON reason, without storing', async () => {
    const before = collector.stats().total;
    const res = await post(
      collector.url,
      '/v1/batch',
      { batch: [message()] },
      { headers: { authorization: basic('wrong-key') } },
    );
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      success: false,
      code: 'unauthorized',
      message: 'The write key "wron…" is not one this collector accepts.',
    });
    expect(collector.stats().total).toBe(before);
  });

  it('answers a request without any key with 401', async () => {
    const res = await post(collector.url, '/v1/batch', { batch: [message()] });
    expect(res).toMatchObject({
      status: 401,
      body: { code: 'unauthorized', message: expect.stringContaining('No write key') },
    });
  });

  it('answers a bearer token it did not issue with 401 unknown_token', async () => {
    const res = await post(
      collector.url,
      '/v1/batch',
      { batch: [message()] },
      { headers: { authorization: 'Bearer forged' } },
    );
    expect(res).toMatchObject({ status: 401, body: { code: 'unknown_token' } });
    expect(res.headers.get('www-authenticate')).toContain('invalid_token');
  });

  it('lists refused requests with their reason', () => {
    const reasons = collector.rejections().map((r) => r.reason);
    expect(reasons).toEqual(expect.arrayContaining(['unauthorized', 'unknown_token']));
    expect(collector.stats().rejectedRequests).toMatchObject({ unauthorized: 2, unknown_token: 1 });
  });
});
