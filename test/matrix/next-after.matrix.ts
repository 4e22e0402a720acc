import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  startTestCollector,
  stop,
  until,
  waitForEvent,
  type TestCollector,
} from '../next/helpers.js';
import { matrixDir, runNextIn, type NextVariant } from './next-variants.js';

// The README's route handler on every Next the peer range claims, each built as a user builds it,
// with @tributary/next installed from its tarball. The host looks serverless (AWS_LAMBDA_FUNCTION_NAME),
// so only after() can keep the response from waiting: the fallback there is to await the flush.
const COLLECTOR_LATENCY = 3000;
// Awaiting the flush would hold the response for flushTimeout (2 s) against this collector.
const FAST_ENOUGH = 1500;

const variants: NextVariant[] = [
  { name: 'Next 15.5 (webpack)', project: 'next15', build: ['build'] },
  {
    name: 'Next 15.0 (webpack, experimental.after)',
    project: 'next15.0',
    build: ['build'],
    env: { MATRIX_EXPERIMENTAL_AFTER: '1' },
  },
  { name: 'Next 16 (Turbopack)', project: 'next16', build: ['build'] },
  {
    name: 'Next 16 (webpack)',
    project: 'next16',
    build: ['build', '--webpack'],
    env: { MATRIX_DIST_DIR: '.next-webpack' },
  },
];

let collector: TestCollector;

beforeAll(async () => {
  collector = await startTestCollector();
});

afterAll(async () => {
  await collector?.close();
});

describe.each(variants)('$name', (variant) => {
  const cwd = join(matrixDir(), variant.project);
  let server: ReturnType<typeof runNextIn>;
  let url: string;

  beforeAll(async () => {
    const buildStarted = performance.now();
    const build = runNextIn(cwd, variant.build, variant.env);
    const built = await build.done;
    const seconds = ((performance.now() - buildStarted) / 1000).toFixed(1);
    console.log(`${variant.name}: next ${variant.build.join(' ')} took ${seconds} s`);
    if (built.code !== 0)
      throw new Error(`next ${variant.build.join(' ')} failed:\n${built.output}`);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = runNextIn(cwd, ['start', '-p', String(port), '-H', '127.0.0.1'], {
      ...variant.env,
      TRIBUTARY_WRITE_KEY: 'matrix-key',
      TRIBUTARY_HOST: collector.url,
      AWS_LAMBDA_FUNCTION_NAME: 'matrix',
    });
    await until(
      async () => (await fetch(`${url}/api/checkout`).catch(() => undefined)) !== undefined,
      30_000,
      `next start of ${variant.name}; output:\n${server.output()}`,
    );
  });

  afterAll(async () => {
    if (server !== undefined) await stop(server.child, server.done);
    collector.faults.clear();
  });

  it('answers without waiting for a slow collector and delivers through after()', async () => {
    collector.faults.set({ latency: COLLECTOR_LATENCY });
    const userId = randomUUID();
    const started = performance.now();
    const response = await fetch(`${url}/api/checkout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': userId },
      body: JSON.stringify({ total: 42 }),
    });
    expect(await response.json()).toEqual({ ok: true });
    const elapsed = performance.now() - started;
    // The collector stores only after its latency: nothing can be there yet when after() delivers.
    expect(collector.events({ userId })).toEqual([]);

    // Awaiting the flush (the serverless fallback) would hold the response for the flush timeout.
    expect(elapsed).toBeLessThan(FAST_ENOUGH);
    const event = await waitForEvent(
      collector,
      (e) => e.userId === userId && e.event === 'Order Completed',
      `Order Completed for ${userId}`,
      COLLECTOR_LATENCY + 10_000,
    );
    expect(event.message.properties).toEqual({ total: 42 });
    expect(server.output()).not.toContain('after() is unavailable');
  });
});

describe('Next 15.0 without experimental.after', () => {
  // The 15.0 build above, started without the flag: next.config is read again by `next start`.
  const cwd = join(matrixDir(), 'next15.0');
  let server: ReturnType<typeof runNextIn>;
  let url: string;

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = runNextIn(cwd, ['start', '-p', String(port), '-H', '127.0.0.1'], {
      TRIBUTARY_WRITE_KEY: 'matrix-key',
      TRIBUTARY_HOST: collector.url,
      AWS_LAMBDA_FUNCTION_NAME: 'matrix',
    });
    await until(
      async () => (await fetch(`${url}/api/checkout`).catch(() => undefined)) !== undefined,
      30_000,
      `next start; output:\n${server.output()}`,
    );
  });

  afterAll(async () => {
    if (server !== undefined) await stop(server.child, server.done);
  });

  it('warns once, naming the flag and the fallback, and delivers before answering', async () => {
    for (const total of [1, 2]) {
      const userId = randomUUID();
      const response = await fetch(`${url}/api/checkout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user-id': userId },
        body: JSON.stringify({ total }),
      });
      expect(await response.json()).toEqual({ ok: true });
      // The fallback on a serverless host awaits the flush: the event is stored before the answer.
      expect(collector.events({ userId }).map((e) => e.event)).toEqual(['Order Completed']);
    }
    const notices = server.output().match(/\[tributary\] Next's after\(\) is unavailable.*/g) ?? [];
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('experimental.after: true');
    expect(notices[0]).toContain('awaiting the flush before responding');
  });
});
