import { startCollector } from '@tributary/collector';
import { describe, expect, it } from 'vitest';
import { fixture, lastJson, runNode } from './helpers/child.js';
import { recordResult } from './helpers/results.js';
import { size, SOAK } from './helpers/sizes.js';

interface MemoryReport {
  durationMs: number;
  calls: number;
  offeredBytes: number;
  maxQueueSize: number;
  maxQueueBytes: number;
  baselineRss: number;
  peakRss: number;
  peakHeld: number;
  during: { accepted: number; rejected: Record<string, number> };
  after: {
    accepted: number;
    delivered: number;
    queued: number;
    inFlightMessages: number;
    inFlightRequests: number;
  };
  report: { delivered: number; failed: number; pending: number };
  reported: Record<string, number>;
  reportedMessages: number;
  closeMs: number;
  activeResources: string[];
}

const MB = 1024 * 1024;
/** Room for V8, undici, garbage not yet collected: fixed, whatever the duration or the volume offered. */
const ALLOWANCE = 96 * MB;
/** Only stdio may keep the loop alive after close(): no timer, no socket. */
const LEAKS = /Timeout|Immediate|TCP|Socket|Interval|FileHandle|Http/i;

describe('memory and handles', () => {
  it(
    'keeps RSS within the queue bounds plus a fixed allowance while the endpoint is dead, then exits on its own',
    async () => {
      const durationMs = size(5_000, 30_000);
      const maxQueueBytes = 4 * MB;
      const run = await runNode(fixture('dead-endpoint-memory.mjs'), {
        env: {
          DURATION_MS: String(durationMs),
          MAX_QUEUE_SIZE: '5000',
          MAX_QUEUE_BYTES: String(maxQueueBytes),
        },
        nodeArgs: ['--expose-gc'],
        limit: durationMs + 20_000,
      });
      expect(run.killed, `the process did not exit on its own:\n${run.stderr}`).toBe(false);
      expect(run.code, run.stderr).toBe(0);
      const m = lastJson<MemoryReport>(run.stdout);
      const growth = m.peakRss - m.baselineRss;
      const queueFull = m.during.rejected.QUEUE_FULL ?? 0;
      const reportedAfterAccept = m.reportedMessages - queueFull;

      recordResult({
        id: 'memory/dead-endpoint',
        title: `Dead endpoint, events arriving continuously for ${durationMs / 1000} s (maxQueueSize 5000, maxQueueBytes 4 MiB)`,
        sent: m.calls,
        accepted: m.after.accepted,
        delivered: m.after.delivered,
        duplicated: 0,
        reported: m.reportedMessages,
        lost: m.after.accepted - m.after.delivered - reportedAfterAccept,
        notes:
          `RSS ${(m.baselineRss / MB).toFixed(0)} → peak ${(m.peakRss / MB).toFixed(0)} MiB (+${(growth / MB).toFixed(1)} MiB; ` +
          `bound ${(maxQueueBytes / MB).toFixed(0)} MiB + ${ALLOWANCE / MB} MiB allowance) with ${(m.offeredBytes / MB).toFixed(0)} MiB offered; ` +
          `peak held ${m.peakHeld}; reported ${Object.entries(m.reported)
            .map(([k, n]) => `${k} ${n}`)
            .join(', ')}; ` +
          `close() took ${m.closeMs} ms; handles after close: ${m.activeResources.join(', ') || 'none'}`,
        durationMs: run.durationMs,
      });

      expect(m.offeredBytes, 'far more was offered than the queue may hold').toBeGreaterThan(
        5 * maxQueueBytes,
      );
      expect(growth).toBeLessThan(maxQueueBytes + ALLOWANCE);
      expect(m.peakHeld).toBeLessThanOrEqual(m.maxQueueSize);
      expect(queueFull).toBeGreaterThan(0);
      // Everything accepted was reported at close (nothing was deliverable), nothing vanished.
      expect(reportedAfterAccept).toBe(m.after.accepted);
      expect(m.report.pending).toBe(0);
      expect(m.after.queued + m.after.inFlightMessages + m.after.inFlightRequests).toBe(0);
      expect(m.activeResources.filter((r) => LEAKS.test(r))).toEqual([]);
    },
    (SOAK ? 30_000 : 5_000) + 40_000,
  );

  it('leaves no timer or socket behind after close() with a faulty live collector, so the process exits at once', async () => {
    const collector = await startCollector({
      port: 0,
      memory: true,
      faults: { failRate: 0.3, resetRate: 0.05, hangRate: 0.05, seed: 7 },
    });
    try {
      const run = await runNode(fixture('close-and-exit.mjs'), {
        env: { COLLECTOR_URL: collector.url },
        limit: 30_000,
      });
      expect(run.killed, `the process did not exit on its own:\n${run.stdout}\n${run.stderr}`).toBe(
        false,
      );
      expect(run.code, run.stderr).toBe(0);
      const lines = run.stdout.trim().split('\n');
      const closed = JSON.parse(lines[0]!) as {
        report: { delivered: number; failed: number; pending: number };
        activeResources: string[];
      };
      const exited = lastJson<{ msFromCloseToExit: number }>(run.stdout);
      expect(closed.activeResources.filter((r) => LEAKS.test(r))).toEqual([]);
      expect(closed.report).toEqual({ delivered: 500, failed: 0, pending: 0 });
      expect(exited.msFromCloseToExit).toBeLessThan(1_000);
      expect(collector.events().length).toBe(500);
      recordResult({
        id: 'memory/close-leaks',
        title:
          'close() with retries, hangs and keep-alive sockets live, then the process must exit by itself',
        sent: 500,
        accepted: 500,
        delivered: collector.events().length,
        duplicated: collector.stats().duplicates,
        reported: closed.report.failed,
        lost: 500 - collector.events().length - closed.report.failed,
        notes: `handles after close: ${closed.activeResources.join(', ') || 'none'}; exit ${exited.msFromCloseToExit} ms after close; faults drawn ${JSON.stringify(collector.stats().faults)}`,
        durationMs: run.durationMs,
      });
    } finally {
      await collector.close();
    }
  }, 40_000);
});
