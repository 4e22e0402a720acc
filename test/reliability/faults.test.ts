import { Analytics, DeliveryError } from '@tributary/core';
import { startCollector, type RunningCollector } from '@tributary/collector';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLogger } from './helpers/capture-logger.js';
import { describeCounts, Ledger } from './helpers/ledger.js';
import { startLossyProxy, type LossyProxy } from './helpers/lossy-proxy.js';
import { recordResult } from './helpers/results.js';
import { runSeed, size, SOAK, waitFor } from './helpers/sizes.js';

const WRITE_KEY = 'reliability-faults-key';
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function collectorFor(): Promise<RunningCollector> {
  const collector = await startCollector({ port: 0, memory: true });
  cleanups.push(() => collector.close());
  return collector;
}

function track(analytics: Analytics, ledger: Ledger, i: number): boolean {
  const id = ledger.nextId();
  return ledger.call(id, () =>
    analytics.track({
      userId: `user-${i % 97}`,
      event: 'Fault Drill',
      messageId: id,
      properties: { i, pad: 'x'.repeat(i % 200) },
    }),
  );
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('under injected faults, every accepted event is stored exactly once or reported', () => {
  it(
    'survives 30% 5xx, 5% resets, 5% hangs past the timeout, 429 bursts and lost answers with nothing lost',
    async () => {
      const seed = runSeed();
      console.log(`[reliability] faults/mix seed ${seed} (replay: TRIBUTARY_SEED=${seed})`);
      const total = size(3_000, 20_000);
      const bursts = size(3, 10);
      const collector = await collectorFor();
      const base = { failRate: 0.3, resetRate: 0.05, hangRate: 0.05, seed };
      collector.faults.set(base);
      let proxy: LossyProxy | undefined = await startLossyProxy(collector.url, {
        lossRate: 0.1,
        seed: seed + 1,
      });
      cleanups.push(() => proxy?.close() ?? Promise.resolve());
      const ledger = new Ledger('mix');
      const logger = captureLogger({ keep: 50 });
      const analytics = new Analytics({
        writeKey: WRITE_KEY,
        host: proxy.url,
        flushAt: 50,
        flushInterval: 50,
        timeout: 800,
        maxRetries: 10,
        retryBaseDelay: 50,
        retryMaxDelay: 1_000,
        maxConcurrentRequests: 4,
        maxQueueSize: total,
        onError: ledger.onError,
        logger,
      });
      cleanups.push(() => analytics.close({ timeout: 1_000 }));
      const started = Date.now();

      const chunk = 250;
      const burstEvery = Math.max(1, Math.floor(total / chunk / (bursts + 1)));
      for (let sent = 0, round = 0; sent < total; round++) {
        for (let i = 0; i < chunk && sent < total; i++, sent++) track(analytics, ledger, sent);
        if (round > 0 && round % burstEvery === 0 && round / burstEvery <= bursts) {
          // A burst of 429s with Retry-After: 1 s, on top of the other faults.
          collector.faults.set({
            ...base,
            seed: seed + round,
            rateLimit: { count: 3, retryAfter: 1 },
          });
        }
        await pause(20);
      }
      const report = await analytics.close({ timeout: size(120_000, 600_000) });
      // An answer the client gave up on may still be on its way: wait until only the injected
      // hangs (never answered) are left, so every stored batch's answer has been counted.
      await waitFor(
        () => proxy!.pending <= (collector.stats().faults.hang ?? 0),
        'the answers still on their way through the proxy',
      );
      const faults = collector.stats().faults;
      const book = ledger.reconcile(collector);
      const stats = analytics.stats();
      const lostAnswers = proxy.lostAnswers;
      const lateAnswers = proxy.lateAnswers;
      await proxy.close();
      proxy = undefined;

      recordResult({
        id: 'faults/mix',
        title: `Faults mix: 30% 500/502/503, 5% resets, 5% hangs past an 800 ms timeout, ${bursts} bursts of 429 (Retry-After 1 s), 10% of stored batches' answers lost`,
        sent: book.sent,
        accepted: book.accepted,
        delivered: book.delivered,
        duplicated: book.duplicated,
        reported: book.refused + book.reportedUndelivered,
        lost: book.lost.length,
        notes:
          `seed ${seed}; faults drawn: ${describeCounts(faults)}; answers lost ${lostAnswers} (of which after the client's timeout ${lateAnswers}); ` +
          `client retries ${stats.retries}; reported after acceptance: ${describeCounts(book.reportedByCode)}; ` +
          `stored and also reported: ${book.deliveredAndReported}`,
        durationMs: Date.now() - started,
      });

      expect(book.lost, `accepted but neither stored nor reported (seed ${seed})`).toEqual([]);
      expect(book.phantom).toEqual([]);
      expect(book.refused, 'the queue had room for every call').toBe(0);
      expect(book.delivered + book.reportedUndelivered).toBe(book.accepted);
      expect(book.accepted).toBe(total);
      // The store keeps each messageId once; the copies it refused are the retries of lost answers.
      expect(collector.stats().stored).toBe(book.delivered);
      if (lostAnswers > 0) expect(book.duplicated).toBeGreaterThan(0);
      // Each answer lost (cut by the proxy, or late past the client's timeout) costs one batch.
      expect(book.duplicated).toBeLessThanOrEqual(lostAnswers * 50);
      // The client's own books agree with the collector's.
      expect(stats.accepted).toBe(total);
      expect(stats.delivered + Object.values(stats.dropped).reduce((a, b) => a + (b ?? 0), 0)).toBe(
        total,
      );
      // close() accounts for what was still held when it was called.
      expect(report.pending).toBe(0);
      expect(stats.queued + stats.inFlightMessages).toBe(0);
      // Each burst replaces the previous fault spec, so a burst cut short by the next one counts less.
      expect(faults.rate_limit).toBeGreaterThan(0);
      expect((faults.fail_rate ?? 0) + (faults.reset ?? 0) + (faults.hang ?? 0)).toBeGreaterThan(0);
    },
    SOAK ? 900_000 : 150_000,
  );

  it(
    'loses nothing while the collector is down and back, and reports the overflow as QUEUE_FULL',
    async () => {
      const downMs = size(3_000, 10_000);
      const maxQueueSize = size(500, 2_000);
      const collector = await collectorFor();
      const ledger = new Ledger('down');
      const analytics = new Analytics({
        writeKey: WRITE_KEY,
        host: collector.url,
        flushAt: 50,
        flushInterval: 50,
        timeout: 1_000,
        maxRetries: 60,
        retryBaseDelay: 100,
        retryMaxDelay: 1_000,
        maxQueueSize,
        onError: ledger.onError,
        logger: captureLogger({ keep: 0 }),
      });
      cleanups.push(() => analytics.close({ timeout: 1_000 }));
      const started = Date.now();
      let i = 0;
      for (; i < 200; i++) track(analytics, ledger, i);
      await analytics.flush({ timeout: 10_000 });

      collector.faults.set({ down: downMs });
      const during = maxQueueSize * 3;
      const steps = 40;
      const downStarted = Date.now();
      for (let step = 0; step < steps; step++) {
        for (let j = 0; j < during / steps; j++, i++) track(analytics, ledger, i);
        await pause(Math.max(0, (downMs * 0.8) / steps - 5));
      }
      const sentWhileDown = Date.now() - downStarted < downMs;
      const refusedWhileDown = ledger.refused.size;
      // Wait until it listens again (the `down` fault ends by itself), then send more.
      const deadline = Date.now() + downMs + 10_000;
      while (collector.faults.current().down !== undefined && Date.now() < deadline)
        await pause(50);
      const retriesWhileDown = analytics.stats().retries;
      for (let j = 0; j < 200; j++, i++) track(analytics, ledger, i);
      const report = await analytics.close({ timeout: 60_000 });
      const book = ledger.reconcile(collector);
      const stats = analytics.stats();

      recordResult({
        id: 'faults/down',
        title: `Collector down for ${downMs / 1000} s then back, ${during} calls while down, maxQueueSize ${maxQueueSize}`,
        sent: book.sent,
        accepted: book.accepted,
        delivered: book.delivered,
        duplicated: book.duplicated,
        reported: book.refused + book.reportedUndelivered,
        lost: book.lost.length,
        notes: `refused at call: ${describeCounts(book.refusedByCode)} (stats().rejected ${describeCounts(stats.rejected)}); retries while down ${retriesWhileDown}; reported after acceptance: ${describeCounts(book.reportedByCode)}`,
        durationMs: Date.now() - started,
      });

      expect(sentWhileDown, 'the calls were made while the collector was down').toBe(true);
      expect(book.lost).toEqual([]);
      expect(book.phantom).toEqual([]);
      expect(book.refusedButStored).toEqual([]);
      // Zero lost while the queue had room: every accepted message was delivered, none given up on.
      expect(book.reportedUndelivered).toBe(0);
      expect(book.delivered).toBe(book.accepted);
      expect(report.failed).toBe(0);
      // The overflow: refused with QUEUE_FULL, reported, and counted.
      expect(refusedWhileDown).toBeGreaterThan(0);
      expect(book.refusedByCode).toEqual({ QUEUE_FULL: book.refused });
      expect(stats.rejected.QUEUE_FULL).toBe(book.refused);
      expect(retriesWhileDown).toBeGreaterThan(0);
    },
    SOAK ? 180_000 : 60_000,
  );

  it('reports exactly the batch answered 400 or 413 and delivers the rest', async () => {
    const collector = await collectorFor();
    const ledger = new Ledger('status');
    const errors: DeliveryError[] = [];
    const analytics = new Analytics({
      writeKey: WRITE_KEY,
      host: collector.url,
      flushAt: 20,
      flushInterval: 60_000,
      maxConcurrentRequests: 1,
      maxRetries: 3,
      retryBaseDelay: 10,
      onError: (error, messages) => {
        if (error instanceof DeliveryError) errors.push(error);
        ledger.onError(error, messages);
      },
      logger: captureLogger({ keep: 0 }),
    });
    cleanups.push(() => analytics.close({ timeout: 1_000 }));
    const started = Date.now();
    const failedIds: string[][] = [];
    for (const status of [400, 413]) {
      collector.faults.set({ failNext: { status } });
      const first = ledger.sent;
      for (let i = 0; i < 100; i++) track(analytics, ledger, first + i);
      failedIds.push(Array.from({ length: 20 }, (_, k) => `status-${first + k + 1}`));
      await analytics.flush({ timeout: 10_000 });
    }
    await analytics.close({ timeout: 10_000 });
    const book = ledger.reconcile(collector);

    recordResult({
      id: 'faults/status',
      title: 'One batch answered 400, another 413 (batches of 20)',
      sent: book.sent,
      accepted: book.accepted,
      delivered: book.delivered,
      duplicated: book.duplicated,
      reported: book.refused + book.reportedUndelivered,
      lost: book.lost.length,
      notes: `reported: ${describeCounts(book.reportedByCode)}; statuses ${errors.map((e) => `${e.status} after ${e.attempts} attempt(s)`).join(', ')}`,
      durationMs: Date.now() - started,
    });

    expect(book.lost).toEqual([]);
    expect(errors.map((e) => [e.code, e.status, e.attempts])).toEqual([
      ['HTTP_ERROR', 400, 1],
      ['HTTP_ERROR', 413, 1],
    ]);
    const reported = [...ledger.errors.keys()].sort();
    expect(reported).toEqual(failedIds.flat().sort());
    expect(book.reportedUndelivered).toBe(40);
    expect(book.delivered).toBe(160);
    expect(analytics.stats().dropped).toEqual({ HTTP_ERROR: 40 });
  }, 30_000);
});
