import { startCollector, type RunningCollector } from '@tributary/collector';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, lastJson, runNode } from './helpers/child.js';
import { recordResult } from './helpers/results.js';

const collectors: RunningCollector[] = [];
afterEach(async () => {
  for (const collector of collectors.splice(0)) await collector.close();
});

interface ExitLine {
  exit: number;
  accepted: number;
  stats: { delivered: number; dropped: Record<string, number> };
}

function reportedIds(stdout: string): Map<string, string> {
  const ids = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{"reported"')) continue;
    const { reported, ids: list } = JSON.parse(line) as { reported: string; ids: string[] };
    for (const id of list) ids.set(id, reported);
  }
  return ids;
}

describe('a script that tracks and just ends', () => {
  it.each([
    { name: 'a healthy collector', faults: undefined, count: 200, prefix: 'exit-ok' },
    {
      name: 'a collector answering 503 twice first',
      faults: { failNext: { status: 503, count: 2 } },
      count: 200,
      prefix: 'exit-faulty',
    },
  ])(
    'delivers everything on beforeExit to $name and exits 0',
    async ({ faults, count, prefix, name }) => {
      const collector = await startCollector({
        port: 0,
        memory: true,
        ...(faults ? { faults } : {}),
      });
      collectors.push(collector);
      const run = await runNode(fixture('track-and-end.mjs'), {
        env: { COLLECTOR_URL: collector.url, COUNT: String(count), PREFIX: prefix },
        limit: 20_000,
      });
      expect(run.killed, 'the process must end by itself').toBe(false);
      expect(run.code, run.stderr).toBe(0);
      const exit = lastJson<ExitLine>(run.stdout);
      const stored = new Set(collector.events().map((e) => String(e.message.messageId)));
      const reported = reportedIds(run.stdout);
      const lost = Array.from({ length: count }, (_, i) => `${prefix}-${i + 1}`).filter(
        (id) => !stored.has(id) && !reported.has(id),
      );
      recordResult({
        id: `process-end/${prefix}`,
        title: `Script tracks ${count} events and ends without flush/close, ${name}`,
        sent: count,
        accepted: exit.accepted,
        delivered: stored.size,
        duplicated: collector.stats().duplicates,
        reported: reported.size,
        lost: lost.length,
        notes: `exit code ${run.code} after ${run.durationMs} ms; faults drawn ${JSON.stringify(collector.stats().faults)}`,
        durationMs: run.durationMs,
      });
      expect(lost).toEqual([]);
      expect(stored.size).toBe(count);
      expect(exit.stats.delivered).toBe(count);
      if (faults) expect(collector.stats().faults.fail_next).toBe(2);
    },
    30_000,
  );

  it('reports everything, and still exits by itself, when the endpoint is dead', async () => {
    const collector = await startCollector({ port: 0, memory: true });
    const url = collector.url;
    await collector.close();
    const count = 100;
    const run = await runNode(fixture('track-and-end.mjs'), {
      env: { COLLECTOR_URL: url, COUNT: String(count), PREFIX: 'exit-dead', MAX_RETRIES: '2' },
      limit: 30_000,
    });
    expect(run.killed, 'the process must end by itself').toBe(false);
    expect(run.code, run.stderr).toBe(0);
    const reported = reportedIds(run.stdout);
    recordResult({
      id: 'process-end/exit-dead',
      title: `Script tracks ${count} events and ends without flush/close, endpoint refusing connections`,
      sent: count,
      accepted: lastJson<ExitLine>(run.stdout).accepted,
      delivered: 0,
      duplicated: 0,
      reported: reported.size,
      lost: count - reported.size,
      notes: `reported as ${[...new Set(reported.values())].join(', ')}; exit code ${run.code} after ${run.durationMs} ms`,
      durationMs: run.durationMs,
    });
    expect(reported.size).toBe(count);
  }, 40_000);
});
