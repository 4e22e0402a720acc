import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Analytics, type AnalyticsError } from '../src/index.js';
import { captureLogger, startIngestServer, type IngestServer } from './helpers/ingest-server.js';

let server: IngestServer;

beforeEach(async () => {
  server = await startIngestServer();
});

afterEach(async () => {
  vi.restoreAllMocks();
  await server.close();
});

function client(retryBaseDelay: number) {
  const logger = captureLogger();
  const errors: AnalyticsError[] = [];
  const c = new Analytics({
    writeKey: 'k',
    host: server.url,
    flushOnExit: false,
    flushInterval: 60_000,
    debug: true,
    logger,
    retryBaseDelay,
    onError: (error) => errors.push(error),
  });
  /** Each retry's wait as logged: `retry N of M in D ms`. */
  const delays = () =>
    logger.lines.flatMap((line) => {
      const match = / retry (\d+) of (\d+) in (\d+) ms/.exec(line);
      return match === null ? [] : [{ retry: Number(match[1]), delay: Number(match[3]) }];
    });
  return { c, errors, delays };
}

/** Resolves once `condition` holds; fails after `timeout` ms. */
async function until(condition: () => boolean, timeout = 5000): Promise<void> {
  const end = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const unavailable = (n: number) => Array.from({ length: n }, () => ({ status: 503 }));

describe('retries fit the deadline of a close or a flush', () => {
  it('delivers every message through eight 503s within close({ timeout: 3000 })', async () => {
    server.script(...unavailable(8));
    const { c, errors, delays } = client(500);
    for (let i = 0; i < 5; i++) c.track('u', 'Retried', { i });
    const report = await c.close({ timeout: 3000 });
    expect(errors).toEqual([]);
    expect(report).toEqual({ delivered: 5, failed: 0, pending: 0 });
    expect(server.requests).toHaveLength(9);
    expect(server.requests.at(-1)!.body.batch).toHaveLength(5);
    // Each wait is at most the time left shared between the retries left and one more attempt.
    const waits = delays();
    expect(waits.map((w) => w.retry)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const { retry, delay } of waits) expect(delay).toBeLessThanOrEqual(3000 / (12 - retry));
  });

  it('fits the waits of flush({ timeout }) while it waits', async () => {
    server.script(...unavailable(8));
    const { c, errors } = client(500);
    c.track('u', 'Retried');
    const report = await c.flush({ timeout: 3000 });
    expect(report).toEqual({ delivered: 1, failed: 0, pending: 0 });
    expect(errors).toEqual([]);
    expect(server.requests).toHaveLength(9);
    await c.close();
  });

  it('fits the waits to a later close({ timeout }) that shortens the first close', async () => {
    server.script(...unavailable(6));
    const { c, errors, delays } = client(500);
    c.track('u', 'Retried');
    const first = c.close();
    const report = await c.close({ timeout: 2000 });
    expect(await first).toBe(report);
    expect(report).toEqual({ delivered: 1, failed: 0, pending: 0 });
    expect(errors).toEqual([]);
    expect(server.requests).toHaveLength(7);
    expect(delays()).toHaveLength(6);
  });

  it('shortens a backoff wait already under way when close({ timeout }) begins', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    server.script(...unavailable(2));
    const { c, errors, delays } = client(20_000);
    c.track('u', 'Retried');
    void c.flush();
    // The first retry waits 10 s (half of 20 s), longer than the close's whole budget.
    await until(() => delays().length === 1);
    expect(delays()).toEqual([{ retry: 1, delay: 10_000 }]);
    const report = await c.close({ timeout: 3000 });
    expect(report).toEqual({ delivered: 1, failed: 0, pending: 0 });
    expect(errors).toEqual([]);
    expect(server.requests).toHaveLength(3);
  });

  it('keeps the full backoff without a deadline', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    server.script(...unavailable(3));
    const { c, errors, delays } = client(40);
    c.track('u', 'Retried');
    const report = await c.flush();
    expect(report).toEqual({ delivered: 1, failed: 0, pending: 0 });
    expect(errors).toEqual([]);
    expect(server.requests).toHaveLength(4);
    // Full jitter at 0.5 of base × 2^retry: 20, 40, 80 ms, none shortened.
    expect(delays()).toEqual([
      { retry: 1, delay: 20 },
      { retry: 2, delay: 40 },
      { retry: 3, delay: 80 },
    ]);
    await c.close();
  });

  it('honours Retry-After within a deadline as without one', async () => {
    server.script({ status: 503, headers: { 'retry-after': '1' } });
    const { c, errors } = client(500);
    c.track('u', 'Paused');
    const report = await c.close({ timeout: 5000 });
    expect(report).toEqual({ delivered: 1, failed: 0, pending: 0 });
    expect(errors).toEqual([]);
    const [first, second] = server.requests;
    expect(second).toBeDefined();
    expect(Date.parse(second!.body.sentAt) - Date.parse(first!.body.sentAt)).toBeGreaterThanOrEqual(
      1000,
    );
  });
});
