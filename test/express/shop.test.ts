import { randomUUID } from 'node:crypto';
import { runExpressJourney } from '@tributary/example-express/journey';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anonymousCookie,
  send,
  startCollector,
  startShop,
  type RunningCollector,
  type Shop,
  type StoredEvent,
} from './helpers.js';

let collector: RunningCollector;
let shop: Shop;

beforeAll(async () => {
  collector = await startCollector({ port: 0, memory: true });
  shop = await startShop(collector.url);
});

afterAll(async () => {
  await shop?.stop();
  await collector?.close();
});

type Context = {
  ip?: string;
  userAgent?: string;
  locale?: string;
  requestId?: string;
  page?: Record<string, string>;
  library?: unknown;
};
const contextOf = (event: StoredEvent | undefined): Context => event?.message.context ?? {};
const propertiesOf = (event: StoredEvent | undefined): Record<string, unknown> =>
  (event?.message.properties ?? {}) as Record<string, unknown>;

describe('example-express against the collector', () => {
  it('delivers the request context: ip, user agent, locale, page and request id, and never cookies', async () => {
    const anonymousId = randomUUID();
    const reply = await send(`${shop.url}/products/p1?ref=mail`, {
      headers: {
        cookie: `${anonymousCookie(anonymousId)}; session=s3cr3t`,
        'user-agent': 'e2e-agent/1.0',
        'accept-language': 'de-CH, de;q=0.9, en;q=0.5',
        referer: 'https://news.example.com/article',
        'x-request-id': 'req-ctx-1',
      },
    });
    expect(reply.status).toBe(200);
    const [event] = await collector.waitForEvents(1, {
      event: 'Product Viewed',
      anonymousId,
      timeout: 10_000,
    });
    expect(event?.anonymousId).toBe(anonymousId);
    expect(contextOf(event)).toMatchObject({
      ip: '127.0.0.1',
      userAgent: 'e2e-agent/1.0',
      locale: 'de-CH',
      requestId: 'req-ctx-1',
      page: {
        url: `${shop.url}/products/p1?ref=mail`,
        path: '/products/p1',
        search: '?ref=mail',
        referrer: 'https://news.example.com/article',
      },
      library: { name: '@tributary/core' },
    });
    expect(JSON.stringify(event?.message)).not.toContain('s3cr3t');
  });

  it('ignores a forged X-Forwarded-For when the proxy is not trusted, and honours it when it is', async () => {
    const untrusted = randomUUID();
    await send(`${shop.url}/products/p2`, {
      headers: { cookie: anonymousCookie(untrusted), 'x-forwarded-for': '198.51.100.7' },
    });
    const [forged] = await collector.waitForEvents(1, {
      event: 'Product Viewed',
      anonymousId: untrusted,
      timeout: 10_000,
    });
    expect(contextOf(forged).ip).toBe('127.0.0.1');

    const proxied = await startShop(collector.url, { TRUST_PROXY: 'loopback' });
    try {
      const trusted = randomUUID();
      // The loopback proxy appends the address it saw; Express takes the right-most untrusted one.
      await send(`${proxied.url}/products/p2`, {
        headers: {
          cookie: anonymousCookie(trusted),
          'x-forwarded-for': '203.0.113.50, 198.51.100.7',
        },
      });
      const [viaProxy] = await collector.waitForEvents(1, {
        event: 'Product Viewed',
        anonymousId: trusted,
        timeout: 10_000,
      });
      expect(contextOf(viaProxy).ip).toBe('198.51.100.7');
    } finally {
      await proxied.stop();
    }
  });

  it('joins browser and server identities: cookie anonymous id, alias at sign-up, user from later auth middleware', async () => {
    const { anonymousId, userId, orderId } = await runExpressJourney(shop.url);
    const [alias] = await collector.waitForEvents(1, { type: 'alias', userId, timeout: 10_000 });
    expect(alias?.message).toMatchObject({ previousId: anonymousId, userId });

    // Product Added and Order Completed pass no userId: it comes lazily from req.user, set by auth mounted after analytics.
    const [added, order] = await Promise.all([
      collector.waitForEvents(2, { event: 'Product Added', userId, timeout: 10_000 }),
      collector.waitForEvents(1, { event: 'Order Completed', userId, timeout: 10_000 }),
    ]);
    expect(added.map((e) => e.anonymousId)).toEqual([anonymousId, anonymousId]);
    expect(propertiesOf(order[0])).toMatchObject({ order_id: orderId, total: 72 });
    const browsed = await collector.waitForEvents(2, { anonymousId, timeout: 10_000 });
    expect(
      browsed.filter((e) => e.event === 'Product List Viewed' && e.userId === undefined),
    ).toHaveLength(1);
  });

  it('records request events with route templates, status and duration, excluding /health', async () => {
    const anonymousId = randomUUID();
    const headers = { cookie: anonymousCookie(anonymousId) };
    await send(`${shop.url}/health`, { headers });
    await send(`${shop.url}/products/p3`, { headers });
    await send(`${shop.url}/products/nope`, { headers });
    await send(`${shop.url}/no/such/page`, { headers });
    await send(`${shop.url}/cart/items`, { method: 'POST', headers, json: { productId: 'p1' } });
    const events = await collector.waitForEvents(4, {
      event: 'API Request',
      anonymousId,
      timeout: 10_000,
    });
    const rows = events
      .map((e) => propertiesOf(e))
      .map(({ method, route, status }) => [method, route, status]);
    expect(rows).toEqual([
      ['GET', '/products/:id', 200],
      ['GET', '/products/:id', 404],
      ['GET', null, 404],
      ['POST', '/cart/items', 401],
    ]);
    for (const event of events) expect(typeof propertiesOf(event).duration).toBe('number');
  });

  it('records unhandled errors through the error handler and still answers 500', async () => {
    const anonymousId = randomUUID();
    const reply = await send(`${shop.url}/orders/o-1/receipt`, {
      headers: { cookie: anonymousCookie(anonymousId) },
    });
    expect(reply).toEqual({ status: 500, body: JSON.stringify({ error: 'internal error' }) });
    const [error] = await collector.waitForEvents(1, {
      event: 'Server Error',
      anonymousId,
      timeout: 10_000,
    });
    expect(propertiesOf(error)).toEqual({
      name: 'Error',
      message: 'receipt service unavailable',
      status: 500,
      method: 'GET',
      route: '/orders/:id/receipt',
    });
    // Expected client errors (a 404 thrown by a route) are not recorded as server errors.
    expect(
      collector.events({ event: 'Server Error' }).every((e) => propertiesOf(e).status === 500),
    ).toBe(true);
  });
});
