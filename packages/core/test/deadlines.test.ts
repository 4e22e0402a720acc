import { describe, expect, it } from 'vitest';
import {
  Analytics,
  type AnalyticsError,
  type AnalyticsOptions,
  type TransportResponse,
} from '../src/index.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** A transport that never settles on its own, ignores its signal, and can be answered late. */
function hangingTransport() {
  const pending: ((response: TransportResponse) => void)[] = [];
  const transport = () => new Promise<TransportResponse>((resolve) => pending.push(resolve));
  const answerLate = () => {
    for (const resolve of pending.splice(0)) resolve({ status: 200, headers: {}, body: '' });
  };
  return { transport, pending, answerLate };
}

function client(options: Partial<AnalyticsOptions>) {
  const errors: { error: AnalyticsError; count: number }[] = [];
  const c = new Analytics({
    writeKey: 'k',
    logger: quiet,
    flushOnExit: false,
    onError: (error, messages) => errors.push({ error, count: messages.length }),
    ...options,
  });
  return { c, errors };
}

/** Settles with the promise's value, or with 'still pending' after `ms`: a bound, not a sleep. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | 'still pending'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<'still pending'>((resolve) => {
    timer = setTimeout(() => resolve('still pending'), ms);
  });
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}

describe('deadlines hold whatever the transport does', () => {
  it('close({ timeout }) resolves and reports FLUSH_TIMEOUT when the transport never settles', async () => {
    const { transport, pending } = hangingTransport();
    const { c, errors } = client({ transport });
    c.track('u', 'Stuck');
    const report = await within(c.close({ timeout: 100 }), 5000);
    expect(pending).toHaveLength(1);
    expect(report).toEqual({ delivered: 0, failed: 1, pending: 0 });
    expect(errors.map((e) => [e.error.code, e.count])).toEqual([['FLUSH_TIMEOUT', 1]]);
  });

  it('ignores a late answer to an abandoned attempt: nothing is counted or reported twice', async () => {
    const { transport, answerLate } = hangingTransport();
    const { c, errors } = client({ transport });
    c.track('u', 'Stuck');
    await within(c.close({ timeout: 100 }), 5000);
    answerLate();
    // Let the late answer's continuations run: a resolved promise chain needs a few turns.
    for (let i = 0; i < 10; i++) await Promise.resolve();
    const stats = c.stats();
    expect(stats.delivered).toBe(0);
    expect(stats.dropped).toEqual({ FLUSH_TIMEOUT: 1 });
    expect(errors).toHaveLength(1);
  });

  it('flush({ timeout }) resolves with what is pending when the transport never settles', async () => {
    const { transport } = hangingTransport();
    const { c } = client({ transport });
    c.track('u', 'Stuck');
    expect(await within(c.flush({ timeout: 100 }), 5000)).toEqual({
      delivered: 0,
      failed: 0,
      pending: 1,
    });
    await within(c.close({ timeout: 0 }), 5000);
  });

  it('bounds each attempt with timeout even when the transport ignores its signal', async () => {
    const { transport } = hangingTransport();
    const { c, errors } = client({ transport, timeout: 100, maxRetries: 0 });
    c.track('u', 'Stuck');
    expect(await within(c.flush(), 5000)).toEqual({ delivered: 0, failed: 1, pending: 0 });
    expect(errors[0]!.error.code).toBe('TIMEOUT');
    await c.close();
  });

  it('closeAndFlush() is close(), as in analytics-node', async () => {
    const { transport } = hangingTransport();
    const { c } = client({ transport });
    c.track('u', 'Stuck');
    const closing = c.closeAndFlush({ timeout: 100 });
    expect(c.close()).toBe(closing);
    expect(await within(closing, 5000)).toEqual({ delivered: 0, failed: 1, pending: 0 });
  });

  it('a second close() honours its own timeout', async () => {
    const { transport } = hangingTransport();
    const { c, errors } = client({ transport });
    c.track('u', 'Stuck');
    const first = c.close({ timeout: 60_000 });
    const second = await within(c.close({ timeout: 100 }), 5000);
    expect(second).toEqual({ delivered: 0, failed: 1, pending: 0 });
    expect(await first).toEqual(second);
    expect(errors.map((e) => e.error.code)).toEqual(['FLUSH_TIMEOUT']);
  });
});

describe('maxQueueBytes', () => {
  it('holds exactly 0 bytes after 100,000 deliveries, and bounds a stalled queue as on a fresh client', async () => {
    let stalled = false;
    const stalls: (() => void)[] = [];
    const transport = () =>
      stalled
        ? new Promise<TransportResponse>((resolve) =>
            stalls.push(() => resolve({ status: 200, headers: {}, body: '' })),
          )
        : Promise.resolve({ status: 200, headers: {}, body: '' });
    const options = { transport, maxQueueBytes: 32_768, flushAt: 100, maxQueueSize: 100_000 };
    const fill = (c: Analytics) => {
      let accepted = 0;
      for (let i = 0; i < 10_000 && c.track('u', 'Filler', { i: 0 }); i++) accepted++;
      return accepted;
    };

    stalled = true;
    const fresh = client(options).c;
    const freshAccepted = fill(fresh);

    stalled = false;
    const used = client(options).c;
    for (let round = 0; round < 1000; round++) {
      for (let i = 0; i < 100; i++) used.track('u', 'Delivered', { i: round * 100 + i });
      await used.flush();
    }
    expect(used.stats().delivered).toBe(100_000);
    expect(used.stats().heldBytes).toBe(0);

    stalled = true;
    expect(fill(used)).toBe(freshAccepted);
    expect(freshAccepted).toBeGreaterThan(0);
    for (const release of stalls.splice(0)) release();
    await Promise.all([fresh.close({ timeout: 1000 }), used.close({ timeout: 1000 })]);
    for (const release of stalls.splice(0)) release();
  });
});
