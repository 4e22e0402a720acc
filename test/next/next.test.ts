import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNextJourney, submitServerAction } from '../../apps/example-next/journey.mjs';
import {
  APP_DIR,
  runNext,
  startNext,
  startTestCollector,
  stop,
  until,
  waitForEvent,
  type RunningNext,
  type TestCollector,
} from './helpers.js';

const WRITE_KEY = 'e2e-write-key';
let collector: TestCollector;
let server: RunningNext | undefined;
let baseUrl: string;
let build: { code: number | null; output: string };
let requestsDuringBuild = -1;

beforeAll(async () => {
  collector = await startTestCollector();
  const env = {
    TRIBUTARY_WRITE_KEY: WRITE_KEY,
    TRIBUTARY_HOST: collector.url,
    TRUSTED_PROXY_HOPS: '1',
  };
  build = await runNext(['build'], env).done;
  requestsDuringBuild = collector.stats().requests;
  if (build.code !== 0) throw new Error(`next build failed:\n${build.output}`);
  server = await startNext(APP_DIR, env, '/api/products');
  baseUrl = server.url;
  // The readiness probe tracked an event; start each test from an empty collector.
  await until(
    () => collector.events({ event: 'Products Searched' }).length > 0,
    10_000,
    'the probe event',
  );
  collector.reset();
});

afterAll(async () => {
  if (server !== undefined) await stop(server.child, server.done);
  await collector?.close();
});

const anonymousCookie = (id: string) =>
  `ajs_anonymous_id=${encodeURIComponent(JSON.stringify(id))}`;

describe('next build', () => {
  it('sends no events and opens no connection to the collector while building', () => {
    expect(build.code).toBe(0);
    expect(requestsDuringBuild).toBe(0);
  });
});

describe('route handlers', () => {
  it('tracks with the full request context: agent, locale, page, referrer, request id, trusted ip, anonymous id', async () => {
    const response = await fetch(`${baseUrl}/api/products?q=tea`, {
      headers: {
        'user-agent': 'e2e-agent/1.0',
        'accept-language': 'fr-CH, fr;q=0.9, en;q=0.8',
        referer: 'https://shop.example/',
        'x-request-id': 'req-route-1',
        // The left-most entry is client-supplied; with one trusted proxy the right-most is the client.
        'x-forwarded-for': '6.6.6.6, 203.0.113.7',
        cookie: anonymousCookie('anon-route-1'),
      },
    });
    expect(response.status).toBe(200);
    const stored = await waitForEvent(
      collector,
      (e) => e.message.context?.requestId === 'req-route-1',
      'Products Searched',
    );
    expect(stored.event).toBe('Products Searched');
    expect(stored.anonymousId).toBe('anon-route-1');
    expect(stored.message.properties).toEqual({ query: 'tea', results: 1 });
    expect(stored.message.context).toMatchObject({
      ip: '203.0.113.7',
      userAgent: 'e2e-agent/1.0',
      locale: 'fr-CH',
      requestId: 'req-route-1',
      page: {
        path: '/api/products',
        search: '?q=tea',
        url: `${baseUrl}/api/products?q=tea`,
        referrer: 'https://shop.example/',
      },
    });
    expect(JSON.stringify(stored.message)).not.toContain('6.6.6.6');
  });

  it('resolves the user from the request and reaches getAnalytics() inside the handler', async () => {
    const response = await fetch(`${baseUrl}/api/checkout`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        cookie: `demo_user=user-42; ${anonymousCookie('anon-checkout')}`,
      },
      body: JSON.stringify({ items: [{ id: 'tea-1', quantity: 2 }, { id: 'cup-1' }] }),
    });
    const { orderId } = (await response.json()) as { orderId: string };
    const stored = await waitForEvent(
      collector,
      (e) => e.message.properties?.order_id === orderId,
      'Order Completed',
    );
    expect(stored).toMatchObject({
      event: 'Order Completed',
      userId: 'user-42',
      anonymousId: 'anon-checkout',
    });
    expect(stored.message.properties).toMatchObject({ total: 39, currency: 'USD' });
    expect(stored.message.context.page.path).toBe('/api/checkout');
    // The proxy generated a request id and forwarded it to the handler.
    expect(stored.message.context.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers before a slow collector does, and the events still arrive after the response', async () => {
    collector.faults.set({ latency: 3000 });
    try {
      const started = Date.now();
      const response = await fetch(`${baseUrl}/api/products?q=slow`, {
        headers: { 'x-request-id': 'req-slow' },
      });
      await response.json();
      const elapsed = Date.now() - started;
      expect(elapsed).toBeLessThan(3000);
      const stored = await waitForEvent(
        collector,
        (e) => e.message.context?.requestId === 'req-slow',
        'the slow event',
        15_000,
      );
      expect(stored.event).toBe('Products Searched');
    } finally {
      collector.faults.clear();
    }
  });
});

describe('server actions and components', () => {
  it('tracks a Server Action with the user, the anonymous id and the page it was submitted from', async () => {
    const response = await submitServerAction(
      baseUrl,
      '/newsletter',
      { list: 'product' },
      { cookie: `demo_user=user-7; ${anonymousCookie('anon-action')}` },
    );
    expect(response.status).toBeLessThan(400);
    const stored = await waitForEvent(
      collector,
      (e) => e.event === 'Newsletter Subscribed' && e.userId === 'user-7',
      'Newsletter Subscribed',
    );
    expect(stored.anonymousId).toBe('anon-action');
    expect(stored.message.properties).toEqual({ list: 'product' });
    expect(stored.message.context.page.path).toBe('/newsletter');
  });

  it('tracks from a Server Component with the id the proxy seeded on the very first request', async () => {
    const response = await fetch(`${baseUrl}/products`, {
      headers: { 'user-agent': 'first-visit' },
    });
    expect(response.status).toBe(200);
    const seeded = /ajs_anonymous_id=%22([0-9a-f-]{36})%22/.exec(
      response.headers.get('set-cookie') ?? '',
    )?.[1];
    expect(seeded).toBeDefined();
    const viewed = await waitForEvent(
      collector,
      (e) => e.event === 'Product List Viewed' && e.anonymousId === seeded,
      'Product List Viewed',
    );
    expect(viewed.message.context.page.path).toBe('/products');
    const page = await waitForEvent(
      collector,
      (e) => e.type === 'page' && e.anonymousId === seeded,
      'the page view',
    );
    expect(page.message.properties).toMatchObject({ path: '/products' });
  });
});

describe('proxy', () => {
  it('records page views and seeds ajs_anonymous_id JSON-quoted, like analytics.js', async () => {
    const first = await fetch(`${baseUrl}/`, {
      headers: { referer: 'https://search.example/?q=tea' },
    });
    expect(first.status).toBe(200);
    const setCookie = first.headers.get('set-cookie') ?? '';
    const id = /ajs_anonymous_id=%22([0-9a-f-]{36})%22/.exec(setCookie)?.[1];
    expect(id, setCookie).toBeDefined();
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).not.toMatch(/HttpOnly/i);
    const home = await waitForEvent(
      collector,
      (e) => e.type === 'page' && e.anonymousId === id,
      'the home page view',
    );
    expect(home.message).toMatchObject({
      name: 'Home',
      properties: { path: '/', url: `${baseUrl}/`, referrer: 'https://search.example/?q=tea' },
    });

    // The browser sends the cookie back: same id, no new cookie.
    const second = await fetch(`${baseUrl}/newsletter`, {
      headers: { cookie: anonymousCookie(id!) },
    });
    expect(second.headers.get('set-cookie') ?? '').not.toContain('ajs_anonymous_id');
    await waitForEvent(
      collector,
      (e) =>
        e.type === 'page' && e.anonymousId === id && e.message.properties?.path === '/newsletter',
      'the second view',
    );
  });

  it('skips prefetches, assets and API routes', async () => {
    // What the App Router sends for a <Link> prefetch (Next strips RSC headers before the proxy; Fetch Metadata stays).
    await fetch(`${baseUrl}/newsletter`, {
      headers: {
        rsc: '1',
        'next-router-prefetch': '1',
        'sec-fetch-dest': 'empty',
        'x-request-id': 'req-prefetch',
      },
    });
    await fetch(`${baseUrl}/favicon.ico`, { headers: { 'x-request-id': 'req-asset' } });
    await fetch(`${baseUrl}/api/products?q=x`, { headers: { 'x-request-id': 'req-api-no-page' } });
    await waitForEvent(
      collector,
      (e) => e.message.context?.requestId === 'req-api-no-page',
      'the API event',
    );
    // Delivery is ordered per flush: the API event arriving means any page view would have too.
    const pages = collector
      .events({ type: 'page' })
      .filter((e) =>
        ['req-prefetch', 'req-asset', 'req-api-no-page'].includes(e.message.context?.requestId),
      );
    expect(pages).toEqual([]);
  });
});

describe('Pages Router', () => {
  it('tracks from a withAnalyticsApi route with context and identity', async () => {
    const response = await fetch(`${baseUrl}/api/legacy`, {
      headers: {
        cookie: `demo_user=user-9; ${anonymousCookie('anon-legacy')}`,
        'x-request-id': 'req-legacy',
        'user-agent': 'legacy-agent',
      },
    });
    expect(await response.json()).toEqual({ ok: true });
    const stored = await waitForEvent(
      collector,
      (e) => e.message.context?.requestId === 'req-legacy',
      'Legacy Endpoint Called',
    );
    expect(stored).toMatchObject({
      event: 'Legacy Endpoint Called',
      userId: 'user-9',
      anonymousId: 'anon-legacy',
    });
    expect(stored.message.context).toMatchObject({
      userAgent: 'legacy-agent',
      page: { path: '/api/legacy' },
    });
  });
});

describe('edge runtime', () => {
  it('tracks from an edge route handler through core’s edge build', async () => {
    const response = await fetch(`${baseUrl}/api/edge`, {
      headers: { 'x-request-id': 'req-edge', cookie: anonymousCookie('anon-edge') },
    });
    expect(await response.json()).toEqual({ runtime: 'edge' });
    const stored = await waitForEvent(
      collector,
      (e) => e.message.context?.requestId === 'req-edge',
      'Edge Pinged',
    );
    expect(stored).toMatchObject({
      event: 'Edge Pinged',
      anonymousId: 'anon-edge',
      message: { properties: { runtime: 'edge' } },
    });
  });

  it('bundles no Node-only module into the edge function', () => {
    const manifest = JSON.parse(
      readFileSync(`${APP_DIR}.next/server/middleware-manifest.json`, 'utf8'),
    ) as {
      functions: Record<string, { files: string[] }>;
    };
    const files = manifest.functions['/api/edge/route']?.files ?? [];
    expect(files.length).toBeGreaterThan(0);
    const code = files.map((file) => readFileSync(`${APP_DIR}.next/${file}`, 'utf8')).join('\n');
    expect(code).toContain('Edge Pinged');
    // Core's edge build: fetch transport and CompressionStream, never undici or node:zlib.
    expect(code).not.toMatch(/undici|node:zlib/);
    expect(code).toContain('CompressionStream');
  });
});

describe('the example journey', () => {
  it('drives every instrumented surface over HTTP', async () => {
    const { anonymousId, userId, steps } = await runNextJourney(baseUrl, {
      userId: 'journey-user',
    });
    expect(steps.filter((s) => s.status >= 400)).toEqual([]);
    expect(anonymousId).toMatch(/^[0-9a-f-]{36}$/);
    const wanted = [
      'Product List Viewed',
      'Products Searched',
      'Newsletter Subscribed',
      'Order Completed',
      'Legacy Endpoint Called',
      'Edge Pinged',
    ];
    await until(
      () => wanted.every((event) => collector.events({ event, anonymousId }).length > 0),
      10_000,
      `journey events for ${anonymousId}: ${wanted.join(', ')}`,
    );
    expect(collector.events({ event: 'Order Completed', anonymousId })[0]?.userId).toBe(userId);
    expect(collector.events({ type: 'page', anonymousId }).length).toBeGreaterThanOrEqual(2);
  });
});

// `next start` with NEXT_MANUAL_SIG_HANDLE=true: initAnalytics owns SIGTERM, so every event tracked
// before the signal is delivered (even with batches still in flight) and the process exits 0.
describe('SIGTERM on next start', () => {
  it('delivers every event accepted before the signal, then exits 0', async () => {
    const server = await startNext(
      APP_DIR,
      {
        TRIBUTARY_WRITE_KEY: 'shutdown-key',
        TRIBUTARY_HOST: collector.url,
        NEXT_MANUAL_SIG_HANDLE: 'true',
      },
      '/api/products?q=warmup',
    );
    const baseUrl = server.url;
    await until(
      () => collector.events({ event: 'Products Searched' }).length > 0,
      10_000,
      'the warm-up event',
    );
    collector.reset();
    // A slow collector: the batches are still in flight when the signal arrives.
    collector.faults.set({ latency: 1500 });
    const queries = Array.from({ length: 20 }, (_, i) => `sigterm-${i}`);
    const responses = await Promise.all(
      queries.map((q) => fetch(`${baseUrl}/api/products?q=${q}`)),
    );
    expect(responses.every((r) => r.ok)).toBe(true);
    server.child.kill('SIGTERM');
    const { code } = await server.done;
    expect(code).toBe(0);
    const searched = collector
      .events({ event: 'Products Searched' })
      .map((e) => (e.message.properties as { query?: string }).query)
      // Late warm-up probes may land after the reset; only this test's queries count.
      .filter((query) => query?.startsWith('sigterm-'));
    expect(searched.sort()).toEqual([...queries].sort());
    collector.faults.clear();
  });
});
