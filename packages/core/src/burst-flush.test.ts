import { describe, expect, it } from 'vitest';
import { BurstFlush } from './burst-flush.js';
import type { Logger } from './logger.js';

const warnings: string[] = [];
const logger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (text) => warnings.push(text),
  error: (text) => warnings.push(text),
};

function burstFlush() {
  const handed: Promise<unknown>[] = [];
  let flushes = 0;
  const burst = new BurstFlush(
    (promise) => handed.push(promise),
    async () => {
      flushes++;
    },
    logger,
  );
  return { burst, handed, flushes: () => flushes };
}

describe('BurstFlush', () => {
  it('hands the host one promise per burst and flushes once, after the calls go quiet', async () => {
    const { burst, handed, flushes } = burstFlush();
    for (let i = 0; i < 1000; i++) burst.schedule();
    expect(handed).toHaveLength(1);
    expect(flushes()).toBe(0);
    await handed[0];
    expect(flushes()).toBe(1);
  });

  it('starts a new burst, with its own promise, for calls after a flush', async () => {
    const { burst, handed, flushes } = burstFlush();
    burst.schedule();
    await handed[0];
    burst.schedule();
    burst.schedule();
    expect(handed).toHaveLength(2);
    await handed[1];
    expect(flushes()).toBe(2);
  });

  it('flushes a burst that never goes quiet by its deadline, while calls keep coming', async () => {
    const { burst, handed, flushes } = burstFlush();
    burst.schedule();
    let calls = 1;
    const ticker = setInterval(() => {
      burst.schedule();
      calls++;
    }, 5);
    try {
      await handed[0];
      // Calls never stopped for 50 ms, yet the first burst was flushed (by its 500 ms bound).
      expect(flushes()).toBe(1);
      expect(calls).toBeGreaterThan(1);
    } finally {
      clearInterval(ticker);
    }
  });

  it('releases the host at cancel without flushing', async () => {
    const { burst, handed, flushes } = burstFlush();
    burst.schedule();
    burst.cancel();
    await handed[0];
    expect(flushes()).toBe(0);
    expect(warnings).toEqual([]);
  });
});
