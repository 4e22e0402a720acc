import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNestJourney } from '../../apps/example-nestjs/src/journey.js';
import {
  anonymousCookie,
  runNestShopToExit,
  send,
  startCollector,
  startNestShop,
  type NestShop,
  type RunningCollector,
  type StoredEvent,
} from './helpers.js';

let collector: RunningCollector;

beforeAll(async () => {
  collector = await startCollector({ port: 0, memory: true });
});

afterAll(async () => {
  await collector?.close();
});

/** The stored track events of one anonymous visitor, waiting (bounded) until `count` arrived. */
async function eventsOf(anonymousId: string, count: number): Promise<StoredEvent[]> {
  return collector.waitForEvents(count, { anonymousId, timeout: 10_000 });
}

function find(events: StoredEvent[], type: string, event?: string): StoredEvent {
  const found = events.find((e) => e.type === type && (event === undefined || e.event === event));
  if (found === undefined) {
    throw new Error(
      `no ${type} ${event ?? ''} among: ${events.map((e) => `${e.type} ${e.event ?? ''}`).join(', ')}`,
    );
  }
  return found;
}

describe.each(['express', 'fastify'] as const)('example-nestjs on %s', (platform) => {
  let shop: NestShop;

  beforeAll(async () => {
    shop = await startNestShop(platform, collector.url);
  });

  afterAll(async () => {
    await shop?.stop();
  });

  it('sends decorator and service events with the right properties and identity, with config from forRootAsync', async () => {
    const journey = await runNestJourney(shop.url);
    // 11 tracks and an identify carry the visitor's anonymous id; the alias names it as previousId.
    const events = await eventsOf(journey.anonymousId, 12);
    const { anonymousId, userId } = journey;

    const searched = find(events, 'track', 'Products Searched');
    expect(searched.userId).toBeUndefined();
    expect(searched.message.properties).toEqual({ query: 'jacket', results: 1 });
    expect(find(events, 'track', 'Product Viewed').message.properties).toEqual({
      productId: 'p-200',
      name: 'Rain Jacket',
      price: 129,
    });
    expect(find(events, 'track', 'Signed Up')).toMatchObject({
      userId,
      anonymousId,
      message: { properties: { plan: 'pro' } },
    });
    expect(find(events, 'identify')).toMatchObject({
      userId,
      message: { traits: { email: journey.email, plan: 'pro' } },
    });
    const [alias] = await collector.waitForEvents(1, { type: 'alias', userId, timeout: 10_000 });
    expect(alias!.message).toMatchObject({ previousId: anonymousId, userId });
    const failed = find(events, 'track', 'Sign In Failed');
    expect(failed.userId).toBeUndefined();
    expect(failed.message.properties).toEqual({ email: journey.email });
    expect(find(events, 'track', 'Signed In').userId).toBe(userId);
    const added = events.filter((e) => e.event === 'Product Added');
    expect(added.map((e) => [e.userId, e.message.properties])).toEqual([
      [userId, { productId: 'p-200', quantity: 1 }],
      [userId, { productId: 'p-300', quantity: 2 }],
    ]);
    expect(find(events, 'track', 'Cart Viewed').message.properties).toEqual({ items: 2 });
    expect(find(events, 'track', 'Checkout Started')).toMatchObject({
      userId,
      message: { properties: { total: journey.total } },
    });
    expect(find(events, 'track', 'Payment Authorized')).toMatchObject({
      userId,
      message: { properties: { amount: journey.total } },
    });
    expect(find(events, 'track', 'Order Completed')).toMatchObject({
      userId,
      message: { properties: { orderId: journey.orderId, total: journey.total } },
    });
    // The write key and host came from the ConfigService injected into forRootAsync's factory.
    expect(new Set(events.map((e) => e.writeKey))).toEqual(new Set(['nest-e2e-key']));
    // Every event of one request shares its context.
    const checkout = events.filter((e) =>
      ['Checkout Started', 'Payment Authorized', 'Order Completed'].includes(e.event ?? ''),
    );
    const contexts = checkout.map((e) => e.message.context as Record<string, unknown>);
    expect(new Set(contexts.map((c) => c.requestId)).size).toBe(1);
    expect(contexts[0]).toMatchObject({
      route: '/checkout',
      userAgent: 'tributary-nest-journey/1.0',
      locale: 'en-GB',
    });
  });

  it('keeps guards on decorated handlers: a refused request sends nothing', async () => {
    const anonymousId = `guard-${platform}`;
    const reply = await send(`${shop.url}/cart/items`, {
      method: 'POST',
      headers: { cookie: anonymousCookie(anonymousId) },
      json: { productId: 'p-100' },
    });
    expect(reply.status).toBe(401);
    // A later, tracked request from the same visitor proves delivery is live: then nothing else arrived.
    expect(
      (
        await send(`${shop.url}/products/p-100`, {
          headers: { cookie: anonymousCookie(anonymousId) },
        })
      ).status,
    ).toBe(200);
    const events = await eventsOf(anonymousId, 1);
    expect(events.map((e) => e.event)).toEqual(['Product Viewed']);
  });

  it('fills context from the request, ignoring a forged X-Forwarded-For when no proxy is trusted', async () => {
    const anonymousId = `context-${platform}`;
    await send(`${shop.url}/products/p-300?ref=mail`, {
      headers: {
        cookie: anonymousCookie(anonymousId),
        'x-forwarded-for': '203.0.113.7',
        'user-agent': 'e2e-agent/2',
        'accept-language': 'de-CH, de;q=0.9, en;q=0.5',
        referer: 'https://mail.example.com/',
        'x-request-id': `req-${platform}-1`,
      },
    });
    const [event] = await eventsOf(anonymousId, 1);
    expect(event!.message.context).toMatchObject({
      ip: '127.0.0.1',
      userAgent: 'e2e-agent/2',
      locale: 'de-CH',
      requestId: `req-${platform}-1`,
      route: '/products/:id',
      page: { path: '/products/p-300', search: '?ref=mail', referrer: 'https://mail.example.com/' },
    });
  });

  it('takes the client ip from X-Forwarded-For once the proxy is trusted', async () => {
    const trusted = await startNestShop(platform, collector.url, { TRUST_PROXY: 'loopback' });
    try {
      const anonymousId = `proxied-${platform}`;
      await send(`${trusted.url}/products/p-100`, {
        headers: { cookie: anonymousCookie(anonymousId), 'x-forwarded-for': '203.0.113.7' },
      });
      const [event] = await eventsOf(anonymousId, 1);
      expect((event!.message.context as { ip: string }).ip).toBe('203.0.113.7');
    } finally {
      await trusted.stop();
    }
  });

  it('refuses to start with invalid options, naming every bad field', async () => {
    const result = await runNestShopToExit(platform, collector.url, {
      TRIBUTARY_HOST: 'collector.local',
      TRIBUTARY_FLUSH_AT: '0',
      TRIBUTARY_SHUTDOWN_TIMEOUT: '-5',
    });
    expect(result.code).not.toBe(0);
    expect(result.stdout).not.toContain('listening on');
    expect(result.stderr).toContain('Invalid AnalyticsModule options:');
    expect(result.stderr).toContain('"host" must be an absolute http(s) URL');
    expect(result.stderr).toContain('"flushAt" must be a number >= 1');
    expect(result.stderr).toContain('"shutdownTimeout" must be a number of milliseconds >= 0');
  });

  it('delivers every accepted event when SIGTERM arrives under load, then exits 0', async () => {
    const loaded = await startNestShop(platform, collector.url, {
      TRIBUTARY_SHUTDOWN_TIMEOUT: '15000',
    });
    const accepted: string[] = [];
    let stopped = false;
    const worker = async (w: number): Promise<void> => {
      for (let i = 0; i < 400 && !stopped; i++) {
        const anonymousId = `load-${platform}-${w}-${i}`;
        try {
          const reply = await send(`${loaded.url}/products/p-100`, {
            headers: { cookie: anonymousCookie(anonymousId) },
          });
          if (reply.status === 200) accepted.push(anonymousId);
        } catch {
          return; // The server stopped accepting connections.
        }
      }
    };
    const workers = Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
    const deadline = Date.now() + 10_000;
    while (accepted.length < 100 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(accepted.length).toBeGreaterThanOrEqual(100);
    const exit = await loaded.stop(20_000);
    stopped = true;
    await workers;
    expect(exit).toEqual({ code: 0, signal: null });
    const received = new Set(
      collector
        .events({ event: 'Product Viewed' })
        .map((e) => e.anonymousId)
        .filter((id) => id?.startsWith(`load-${platform}-`)),
    );
    const missing = accepted.filter((id) => !received.has(id));
    expect(missing).toEqual([]);
  });
});
