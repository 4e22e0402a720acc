import { Analytics } from '@tributary/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../src/index.js';
import { startCollector } from '../src/index.js';
import { getJson, id, post } from './helpers.js';

const batch = () => ({ batch: [{ type: 'track', userId: 'u', event: 'E', messageId: id() }] });

/** Polls `check` until it holds, at most `timeout` ms. */
async function until(check: () => Promise<boolean>, timeout = 5000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`condition not met within ${timeout} ms`);
}
const reachable = (url: string) =>
  fetch(`${url}/health`).then(
    (r) => r.ok,
    () => false,
  );

describe('fault injection', () => {
  let collector: RunningCollector;
  beforeAll(async () => {
    collector = await startCollector({ port: 0 });
  });
  afterEach(() => {
    collector.faults.clear();
    collector.reset();
  });
  afterAll(() => collector.close());

  it('answers the next N requests with a fixed status, then stores again', async () => {
    collector.faults.set({ failNext: { status: 503, count: 2 } });
    expect((await post(collector.url, '/v1/batch', batch())).status).toBe(503);
    const second = await post(collector.url, '/v1/batch', batch());
    expect(second).toMatchObject({ status: 503, body: { success: false, code: 'injected_fault' } });
    expect((await post(collector.url, '/v1/batch', batch())).status).toBe(200);
    expect(collector.events()).toHaveLength(1);
    expect(collector.stats().faults).toEqual({ fail_next: 2 });
  });

  it('answers a share of requests with a status from the list', async () => {
    collector.faults.set({ failRate: 1, failStatuses: [502] });
    expect((await post(collector.url, '/v1/batch', batch())).status).toBe(502);
    collector.faults.set({ failRate: 0 });
    expect((await post(collector.url, '/v1/batch', batch())).status).toBe(200);
  });

  it('answers 429 with Retry-After when rate limiting', async () => {
    collector.faults.set({ rateLimit: { count: 1, retryAfter: 7 } });
    const res = await post(collector.url, '/v1/batch', batch());
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect((await post(collector.url, '/v1/batch', batch())).status).toBe(200);
  });

  it('adds latency before answering', async () => {
    collector.faults.set({ latency: 300 });
    const started = performance.now();
    expect((await post(collector.url, '/v1/batch', batch())).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('resets the connection without an answer', async () => {
    collector.faults.set({ resetRate: 1 });
    const error = await post(collector.url, '/v1/batch', batch()).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(TypeError);
    expect(collector.stats().faults).toEqual({ reset: 1 });
    expect(collector.events()).toEqual([]);
  });

  it('holds a request open until the client gives up', async () => {
    collector.faults.set({ hangRate: 1 });
    const started = performance.now();
    const error = await fetch(`${collector.url}/v1/batch`, {
      method: 'POST',
      body: JSON.stringify(batch()),
      signal: AbortSignal.timeout(300),
    }).catch((e: unknown) => e as Error);
    expect(error).toMatchObject({ name: 'TimeoutError' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(collector.stats().faults).toEqual({ hang: 1 });
  });

  it('refuses connections while down and listens again when cleared', async () => {
    collector.faults.set({ down: true });
    const error = await fetch(`${collector.url}/health`).catch(
      (e: unknown) => e as Error & { cause?: { code?: string } },
    );
    expect(error).toBeInstanceOf(TypeError);
    expect((error as { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
    collector.faults.clear();
    await until(() => reachable(collector.url));
    expect((await post(collector.url, '/v1/batch', batch())).status).toBe(200);
  });

  it('comes back up by itself after a down period', async () => {
    collector.faults.set({ down: 300 });
    expect(await reachable(collector.url)).toBe(false);
    await until(() => reachable(collector.url));
    expect(collector.faults.current()).toEqual({});
  });

  it('is controlled at runtime through POST, GET and DELETE /admin/faults', async () => {
    const set = await post(collector.url, '/admin/faults', { failNext: { status: 500, count: 1 } });
    expect(set).toEqual({
      status: 200,
      headers: expect.anything(),
      body: { faults: { failNext: { status: 500, count: 1 } } },
    });
    expect(await getJson(collector.url, '/admin/faults')).toEqual({
      faults: { failNext: { status: 500, count: 1 } },
    });
    const cleared = await fetch(`${collector.url}/admin/faults`, { method: 'DELETE' });
    expect(await cleared.json()).toEqual({ faults: {} });
    expect((await post(collector.url, '/v1/batch', batch())).status).toBe(200);
  });

  it('answers an invalid fault spec with 400 naming the problem', async () => {
    const res = await post(collector.url, '/admin/faults', { failRate: 5 });
    expect(res).toMatchObject({
      status: 400,
      body: { code: 'invalid_faults', message: expect.stringContaining('failRate') },
    });
  });

  it('can go down through the admin endpoint after answering', async () => {
    const res = await post(collector.url, '/admin/faults', { down: 300 });
    expect(res.status).toBe(200);
    // The fault is applied once the answer is written; the 300 ms outage is long enough to observe.
    await until(async () => !(await reachable(collector.url)), 2000);
    await until(() => reachable(collector.url));
  });

  it('faults only the token endpoint when targeted at it', async () => {
    collector.faults.set({ failNext: { status: 503 }, target: 'token' });
    expect((await post(collector.url, '/v1/batch', batch())).status).toBe(200);
    const token = await fetch(`${collector.url}/token`, {
      method: 'POST',
      body: 'grant_type=client_credentials',
    });
    expect(token.status).toBe(503);
  });

  it('lists injected faults with the rejected requests', async () => {
    collector.faults.set({ failNext: { status: 502 } });
    await post(collector.url, '/v1/batch', batch());
    expect(collector.rejections()[0]).toMatchObject({
      status: 502,
      reason: 'fault:fail_next',
      path: '/v1/batch',
    });
  });

  it('lets the core client retry through transient errors and deliver', async () => {
    collector.faults.set({ failNext: { status: 503, count: 2 } });
    const analytics = new Analytics({
      writeKey: 'wk',
      host: collector.url,
      retryBaseDelay: 10,
      flushInterval: 10,
    });
    analytics.track('u', 'Retried Event');
    const report = await analytics.close();
    expect(report.delivered).toBe(1);
    expect(collector.events({ event: 'Retried Event' })).toHaveLength(1);
    expect(collector.stats().faults).toEqual({ fail_next: 2 });
  });
});

describe('faults from the start', () => {
  it('applies the faults given in the options to the first requests', async () => {
    const collector = await startCollector({
      port: 0,
      faults: { failNext: { status: 500 }, latency: 10 },
    });
    try {
      expect((await post(collector.url, '/v1/batch', batch())).status).toBe(500);
      expect((await post(collector.url, '/v1/batch', batch())).status).toBe(200);
    } finally {
      await collector.close();
    }
  });

  it('closes promptly with a request still hanging', async () => {
    const collector = await startCollector({ port: 0, faults: { hangRate: 1 } });
    const hanging = fetch(`${collector.url}/v1/batch`, { method: 'POST', body: '{}' }).catch(
      (e: unknown) => e,
    );
    await until(async () => collector.stats().faults.hang === 1);
    await collector.close();
    expect(await hanging).toBeInstanceOf(TypeError);
  });
});
