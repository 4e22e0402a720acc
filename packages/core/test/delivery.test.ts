import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AnalyticsError } from '../src/index.js';
import { Analytics, DeliveryError, type AnalyticsOptions } from '../src/index.js';
import { captureLogger, startIngestServer, type IngestServer } from './helpers/ingest-server.js';

let server: IngestServer;
// Asynchronous on purpose: the ingest server lives in this process and must keep answering.
const run = (script: string) =>
  promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
const clients: Analytics[] = [];

beforeAll(async () => {
  server = await startIngestServer();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close({ timeout: 2000 })));
  server.requests.length = 0;
  server.setDefault({ status: 200 });
});
afterAll(() => server.close());

function client(options: Partial<AnalyticsOptions> = {}) {
  const errors: { error: AnalyticsError; count: number }[] = [];
  const logger = captureLogger();
  const c = new Analytics({
    writeKey: 'secret-write-key',
    host: server.url,
    retryBaseDelay: 1,
    retryMaxDelay: 5,
    logger,
    onError: (error, messages) => errors.push({ error, count: messages.length }),
    ...options,
  });
  clients.push(c);
  return { c, errors, logger };
}

describe('batching', () => {
  it('sends a batch as soon as flushAt messages are queued', async () => {
    const { c } = client({ flushAt: 3, flushInterval: 60_000 });
    for (let i = 0; i < 3; i++) c.track('u', `E${i}`);
    await server.waitForMessages(3);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.body.batch.map((m) => m.event)).toEqual(['E0', 'E1', 'E2']);
  });

  it('sends what is queued once flushInterval has passed since the first unsent message', async () => {
    const { c } = client({ flushAt: 100, flushInterval: 30 });
    c.track('u', 'Lonely');
    await server.waitForMessages(1);
    expect(server.requests).toHaveLength(1);
  });

  it('never sends a request body over 500 KB, whatever flushAt says', async () => {
    const { c } = client({ flushAt: 1000, flushInterval: 60_000 });
    const blob = 'x'.repeat(30_000);
    for (let i = 0; i < 40; i++) expect(c.track('u', 'Big', { blob, i })).toBe(true);
    const report = await c.flush();
    expect(report).toEqual({ delivered: 40, failed: 0, pending: 0 });
    expect(server.requests.length).toBeGreaterThanOrEqual(3);
    for (const request of server.requests)
      expect(request.raw.byteLength).toBeLessThanOrEqual(500_000);
    // Concurrent batches may arrive in any order; every message arrives once.
    const seen = server.messages().map((m) => (m.properties as { i: number }).i);
    expect(seen.sort((a, b) => a - b)).toEqual([...Array(40).keys()]);
  });

  it('rejects a message over 32 KB, measured in UTF-8 bytes, before queueing it', () => {
    const { c, errors } = client();
    // 17,000 "é" are 17,000 characters (under 32 KB) but 34,000 bytes (over it).
    expect(c.track('u', 'Fits', { text: 'é'.repeat(12_000) })).toBe(true);
    expect(c.track('u', 'Too big', { text: 'é'.repeat(17_000) })).toBe(false);
    expect(errors[0]!.error.code).toBe('MESSAGE_TOO_LARGE');
    expect(errors[0]!.error.message).toMatch(
      /track: the message is \d+ bytes serialized; Segment accepts at most 32768 bytes/,
    );
    expect(c.stats().rejected.MESSAGE_TOO_LARGE).toBe(1);
  });

  it('keeps at most maxConcurrentRequests requests in flight', async () => {
    server.setDefault({ status: 200, delay: 100 });
    const { c } = client({ flushAt: 1, maxConcurrentRequests: 2 });
    let peak = 0;
    for (let i = 0; i < 6; i++) {
      c.track('u', `E${i}`);
      peak = Math.max(peak, c.stats().inFlightRequests);
    }
    const sampler = setInterval(() => (peak = Math.max(peak, c.stats().inFlightRequests)), 5);
    await c.flush();
    clearInterval(sampler);
    expect(peak).toBe(2);
    expect(server.messages()).toHaveLength(6);
  });
});

describe('the retry policy', () => {
  it.each([400, 401, 403, 404, 413, 422, 501, 505])(
    'does not retry HTTP %i and reports the batch',
    async (status) => {
      server.script({ status, body: '{"error":"nope"}' });
      const { c, errors } = client();
      c.track('u', 'E');
      const report = await c.flush();
      expect(report).toEqual({ delivered: 0, failed: 1, pending: 0 });
      expect(server.requests).toHaveLength(1);
      const error = errors[0]!.error as DeliveryError;
      expect(error).toBeInstanceOf(DeliveryError);
      expect(error).toMatchObject({ code: 'HTTP_ERROR', status, attempts: 1, retriable: false });
      expect(error.message).toContain(`HTTP ${status}`);
      expect(c.stats().dropped.HTTP_ERROR).toBe(1);
    },
  );

  it.each([301, 302, 307, 308])(
    'does not follow or retry a redirect (HTTP %i), and says where it pointed',
    async (status) => {
      server.script({ status, headers: { location: 'https://elsewhere.example/v1/batch' } });
      const { c, errors } = client();
      c.track('u', 'E');
      expect(await c.flush()).toEqual({ delivered: 0, failed: 1, pending: 0 });
      expect(server.requests).toHaveLength(1);
      const error = errors[0]!.error as DeliveryError;
      expect(error).toMatchObject({ code: 'HTTP_ERROR', status, attempts: 1, retriable: false });
      expect(error.message).toContain(
        `HTTP ${status}, a redirect to https://elsewhere.example/v1/batch; redirects are not followed: set "host" to the final URL`,
      );
    },
  );

  it.each([408, 410, 429, 460, 500, 502, 503, 504])(
    'retries HTTP %i and then delivers',
    async (status) => {
      server.script({ status });
      const { c, errors } = client();
      c.track('u', 'E');
      expect(await c.flush()).toEqual({ delivered: 1, failed: 0, pending: 0 });
      expect(server.requests).toHaveLength(2);
      expect(server.requests[0]!.headers['x-retry-count']).toBeUndefined();
      expect(server.requests[1]!.headers['x-retry-count']).toBe('1');
      expect(errors).toHaveLength(0);
      expect(c.stats().retries).toBe(1);
    },
  );

  it('retries connection resets as network errors', async () => {
    server.script({ reset: true }, { reset: true });
    const { c } = client();
    c.track('u', 'E');
    expect(await c.flush()).toEqual({ delivered: 1, failed: 0, pending: 0 });
    expect(server.requests).toHaveLength(3);
  });

  it('gives up after maxRetries and reports status, attempts and retriability', async () => {
    server.setDefault({ status: 503 });
    const { c, errors } = client({ maxRetries: 2 });
    c.track('u', 'E');
    c.track('u', 'F');
    expect(await c.flush()).toEqual({ delivered: 0, failed: 2, pending: 0 });
    expect(server.requests).toHaveLength(3);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.count).toBe(2);
    expect(errors[0]!.error).toMatchObject({
      code: 'HTTP_ERROR',
      status: 503,
      attempts: 3,
      retriable: true,
    });
  });

  it('bounds each request with timeout and reports TIMEOUT', async () => {
    server.setDefault({ hang: true });
    const { c, errors } = client({ timeout: 100, maxRetries: 1 });
    c.track('u', 'E');
    expect(await c.flush()).toEqual({ delivered: 0, failed: 1, pending: 0 });
    expect(errors[0]!.error).toMatchObject({ code: 'TIMEOUT', attempts: 2 });
  });

  it('honours Retry-After on 429 without spending a counted retry', async () => {
    server.script({ status: 429, headers: { 'retry-after': '1' } });
    const { c, errors } = client({ maxRetries: 0 });
    const started = Date.now();
    c.track('u', 'E');
    expect(await c.flush()).toEqual({ delivered: 1, failed: 0, pending: 0 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(errors).toHaveLength(0);
  });

  it('re-stamps sentAt on every attempt', async () => {
    server.script({ status: 500, delay: 20 });
    const { c } = client({ retryBaseDelay: 20, retryMaxDelay: 20 });
    c.track('u', 'E');
    await c.flush();
    const [first, second] = server.requests.map((r) => r.body.sentAt);
    expect(second! > first!).toBe(true);
  });

  it('resends the same body bytes on a retry, with only sentAt stamped afresh', async () => {
    server.script({ status: 500 });
    const { c } = client({ flushAt: 3 });
    for (const event of ['A, with a comma', 'B "quoted"', 'Ç ü 日本']) c.track('u', event);
    expect(await c.flush()).toEqual({ delivered: 3, failed: 0, pending: 0 });
    expect(server.requests).toHaveLength(2);
    const [first, second] = server.requests.map((r) =>
      r.raw.toString('utf8').replace(/"sentAt":"[^"]*"}$/, '"sentAt":"…"}'),
    );
    expect(second).toBe(first);
    expect(server.requests[1]!.body.batch.map((m) => m.event)).toEqual([
      'A, with a comma',
      'B "quoted"',
      'Ç ü 日本',
    ]);
  });

  it("gives onError each undelivered message's own JSON, as the API was sent it", async () => {
    server.setDefault({ status: 400 });
    const reported: unknown[] = [];
    const { c } = client({
      flushAt: 2,
      onError: (_error, messages) => reported.push(...messages),
    });
    c.track('u', 'A', { text: 'x,y]}', n: 1 });
    c.track('u', 'B', { text: 'é 🙂' });
    c.track('u', 'C');
    expect(await c.flush()).toEqual({ delivered: 0, failed: 3, pending: 0 });
    expect(reported).toEqual(server.messages());
    expect(reported.map((m) => (m as { event: string }).event).sort()).toEqual(['A', 'B', 'C']);
  });

  it('hands a custom transport the body as text, and the built-in one the same JSON', async () => {
    const bodies: unknown[] = [];
    const { c } = client({
      flushAt: 2,
      transport: async (request) => {
        bodies.push(request.body);
        return { status: 200, headers: {}, body: '{}' };
      },
    });
    c.track('u', 'A');
    c.track('u', 'B');
    await c.flush();
    expect(typeof bodies[0]).toBe('string');
    const sent = JSON.parse(bodies[0] as string) as { batch: { event: string }[] };
    expect(sent.batch.map((m) => m.event)).toEqual(['A', 'B']);
  });

  it('never puts the write key in logs or error messages, even when the server echoes it', async () => {
    server.script({ status: 400, body: '{"error":"bad key secret-write-key"}' });
    const { c, errors, logger } = client({ debug: true });
    c.track('u', 'E');
    await c.flush();
    expect(logger.lines.join('\n')).not.toContain('secret-write-key');
    expect(logger.lines.join('\n')).toContain('[redacted]');
    expect(errors).toHaveLength(1);
  });
});

describe('the bounded queue', () => {
  it('rejects the newest message with QUEUE_FULL once maxQueueSize messages are held, and counts it', async () => {
    server.setDefault({ status: 200, delay: 200 });
    const { c, errors } = client({ maxQueueSize: 5, flushAt: 100 });
    const results = Array.from({ length: 8 }, (_, i) => c.track('u', `E${i}`));
    expect(results).toEqual([true, true, true, true, true, false, false, false]);
    expect(errors.map((e) => e.error.code)).toEqual(['QUEUE_FULL', 'QUEUE_FULL', 'QUEUE_FULL']);
    expect(errors[0]!.error.message).toContain('maxQueueSize 5');
    expect(c.stats().rejected.QUEUE_FULL).toBe(3);
    expect(await c.flush()).toEqual({ delivered: 5, failed: 0, pending: 0 });
    expect(c.track('u', 'After')).toBe(true);
  });

  it('logs one line for a flood of QUEUE_FULL rejections while counting every one', () => {
    server.setDefault({ hang: true });
    const logger = captureLogger();
    const c = new Analytics({
      writeKey: 'k',
      host: server.url,
      maxQueueSize: 2,
      flushAt: 100,
      logger,
    });
    clients.push(c);
    const results = Array.from({ length: 1000 }, (_, i) => c.track('u', `E${i}`));
    expect(results.filter(Boolean)).toHaveLength(2);
    expect(c.stats().rejected.QUEUE_FULL).toBe(998);
    expect(logger.lines.filter((line) => line.includes('QUEUE_FULL'))).toHaveLength(1);
  });

  it('logs one line for a flood of calls that name no one, then a summary at close, reporting every one', async () => {
    const logger = captureLogger();
    const reported: string[] = [];
    const c = new Analytics({
      writeKey: 'k',
      host: server.url,
      logger,
      onError: (error) => reported.push(error.code),
    });
    const results = Array.from({ length: 20 }, () => c.track({ event: 'Viewed' } as never));
    expect(results.every((accepted) => !accepted)).toBe(true);
    expect(reported).toHaveLength(20);
    expect(c.stats().rejected.VALIDATION_FAILED).toBe(20);
    // Another kind of VALIDATION_FAILED still gets its own line.
    expect(c.track('u', '')).toBe(false);
    const identityLines = () => logger.lines.filter((line) => line.includes('is required'));
    expect(identityLines()).toHaveLength(1);
    expect(logger.lines.filter((line) => line.includes('"event"'))).toHaveLength(1);
    await c.close({ timeout: 2000 });
    expect(logger.lines.some((line) => line.includes('19 more VALIDATION_FAILED'))).toBe(true);
  });

  it('bounds the bytes held with maxQueueBytes', () => {
    const { c } = client({ maxQueueBytes: 40_000, flushAt: 100, flushInterval: 60_000 });
    const blob = 'x'.repeat(15_000);
    expect([
      c.track('u', 'A', { blob }),
      c.track('u', 'B', { blob }),
      c.track('u', 'C', { blob }),
    ]).toEqual([true, true, false]);
  });
});

describe('held bytes', () => {
  const utf8 = (message: unknown) => Buffer.byteLength(JSON.stringify(message));

  it("counts each held message's UTF-8 bytes, and returns to 0 once it is delivered", async () => {
    const { c } = client({ flushAt: 100, flushInterval: 60_000 });
    for (let i = 0; i < 5; i++) c.track('u', 'E', { text: 'é🙂'.repeat(i * 10), i });
    const held = c.stats().heldBytes;
    await c.flush();
    // The API receives exactly the messages that were held, serialized the same way.
    expect(held).toBe(server.messages().reduce((n, m) => n + utf8(m), 0));
    expect(c.stats()).toMatchObject({ heldBytes: 0, queued: 0, inFlightMessages: 0 });
  });

  it('returns to 0 when batches fail, and when close abandons what is left', async () => {
    server.setDefault({ status: 400 });
    const { c } = client({ flushAt: 2, flushInterval: 60_000 });
    for (let i = 0; i < 3; i++) c.track('u', 'E', { i });
    await c.flush();
    expect(c.stats().heldBytes).toBe(0);
    server.setDefault({ hang: true });
    c.track('u', 'Stuck');
    c.track('u', 'Queued');
    c.track('u', 'Queued too');
    expect(c.stats().heldBytes).toBeGreaterThan(0);
    await c.close({ timeout: 100 });
    expect(c.stats()).toMatchObject({ heldBytes: 0, queued: 0, inFlightMessages: 0 });
  });

  it('cuts batches at flushAt and under 500 KB, in acceptance order', async () => {
    const { c } = client({ flushAt: 4, flushInterval: 60_000, maxConcurrentRequests: 1 });
    const blob = 'ü'.repeat(15_000); // 30,000 bytes each: 16 fit under 500 KB, 4 fit flushAt
    for (let i = 0; i < 10; i++) c.track('u', 'Small', { i });
    expect(await c.flush()).toMatchObject({ delivered: 10, failed: 0 });
    expect(server.requests.map((r) => r.body.batch.length)).toEqual([4, 4, 2]);
    server.requests.length = 0;
    const { c: big } = client({ flushAt: 100, flushInterval: 60_000, maxConcurrentRequests: 1 });
    for (let i = 0; i < 20; i++) big.track('u', 'Big', { blob, i });
    expect(await big.flush()).toMatchObject({ delivered: 20, failed: 0 });
    const sizes = server.requests.map((r) => r.body.batch.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(20);
    expect(sizes[0]).toBeLessThan(20);
    for (const request of server.requests)
      expect(request.raw.byteLength).toBeLessThanOrEqual(500_000);
    const order = server.messages().map((m) => (m.properties as { i: number }).i);
    expect(order).toEqual([...Array(20).keys()]);
  });
});

describe('flush and close', () => {
  it('waits for batches already in flight', async () => {
    server.setDefault({ status: 200, delay: 150 });
    const { c } = client({ flushAt: 1 });
    c.track('u', 'E');
    expect(c.stats().inFlightRequests).toBe(1);
    expect(await c.flush()).toEqual({ delivered: 1, failed: 0, pending: 0 });
    expect(server.messages()).toHaveLength(1);
  });

  it('gives each overlapping flush the full guarantee', async () => {
    server.setDefault({ status: 200, delay: 50 });
    const { c } = client({ flushAt: 2 });
    c.track('u', 'A');
    c.track('u', 'B');
    c.track('u', 'C');
    const first = c.flush();
    c.track('u', 'D');
    const second = c.flush();
    const [a, b] = await Promise.all([first, second]);
    expect(a).toEqual({ delivered: 3, failed: 0, pending: 0 });
    expect(b).toEqual({ delivered: 4, failed: 0, pending: 0 });
    expect(server.messages()).toHaveLength(4);
  });

  it('resolves (never rejects) with what is pending when its timeout elapses', async () => {
    server.setDefault({ hang: true });
    const { c } = client({ timeout: 60_000 });
    c.track('u', 'E');
    expect(await c.flush({ timeout: 50 })).toEqual({ delivered: 0, failed: 0, pending: 1 });
  });

  it('is idempotent, and calls after close return false with CLIENT_CLOSED', async () => {
    const { c, errors } = client();
    c.track('u', 'E');
    const first = c.close();
    expect(c.close()).toBe(first);
    expect(await first).toEqual({ delivered: 1, failed: 0, pending: 0 });
    expect(c.track('u', 'Late')).toBe(false);
    expect(errors.at(-1)!.error.code).toBe('CLIENT_CLOSED');
    expect(c.stats().rejected.CLIENT_CLOSED).toBe(1);
  });

  it('reports through onError whatever is undelivered when close times out', async () => {
    server.setDefault({ hang: true });
    const { c, errors } = client({ flushAt: 2, timeout: 60_000 });
    for (let i = 0; i < 5; i++) c.track('u', `E${i}`);
    const report = await c.close({ timeout: 100 });
    expect(report).toEqual({ delivered: 0, failed: 5, pending: 0 });
    expect(errors.reduce((n, e) => n + e.count, 0)).toBe(5);
    expect(new Set(errors.map((e) => e.error.code))).toEqual(new Set(['FLUSH_TIMEOUT']));
    expect(c.stats().dropped.FLUSH_TIMEOUT).toBe(5);
  });

  it('in sync mode sends each call in its own request, with retries and onError', async () => {
    server.script({ status: 500 });
    const { c } = client({ syncMode: true });
    c.track('u', 'A');
    c.track('u', 'B');
    expect(await c.flush()).toEqual({ delivered: 2, failed: 0, pending: 0 });
    expect(server.requests.map((r) => r.body.batch.length)).toEqual([1, 1, 1]);
  });

  it('hands each burst to waitUntil and resolves it once the burst is delivered', async () => {
    const handed: Promise<unknown>[] = [];
    const { c } = client({ flushAt: 100, flushInterval: 60_000, waitUntil: (p) => handed.push(p) });
    c.track('u', 'A');
    c.track('u', 'B');
    expect(handed).toHaveLength(1);
    await handed[0];
    expect(server.messages()).toHaveLength(2);
  });
});

describe('process lifetime', () => {
  it('delivers what a script queued when the script just ends (beforeExit), and exits promptly', async () => {
    const entry = fileURLToPath(new URL('../dist/index.mjs', import.meta.url));
    const script = `
      import { Analytics } from ${JSON.stringify(entry)};
      const a = new Analytics({ writeKey: 'k', host: ${JSON.stringify(server.url)}, flushInterval: 60000 });
      for (let i = 0; i < 3; i++) a.track('u', 'From script ' + i);
    `;
    await run(script);
    expect(server.messages().map((m) => m.event)).toEqual([
      'From script 0',
      'From script 1',
      'From script 2',
    ]);
  });

  it('lets a process whose client is closed exit on its own: timers are unref-ed', async () => {
    const entry = fileURLToPath(new URL('../dist/index.mjs', import.meta.url));
    const script = `
      import { Analytics } from ${JSON.stringify(entry)};
      const a = new Analytics({ writeKey: 'k', host: 'http://127.0.0.1:9', flushInterval: 60000, send: true });
      await a.close();
    `;
    await expect(run(script)).resolves.toMatchObject({ stderr: '' });
  });
});
