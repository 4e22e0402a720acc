// The file outbox end to end: child processes run the built package, are killed with SIGKILL in
// the middle of a burst, and a new process on the same directory delivers what they accepted.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Analytics, type AnalyticsError } from '../src/index.js';
import { encodeRecord } from '../src/outbox/file-outbox.js';
import { captureLogger, startIngestServer, type IngestServer } from './helpers/ingest-server.js';
import { killScripts, runScript, startScript } from './helpers/script-child.js';

const dist = fileURLToPath(new URL('../dist/index.mjs', import.meta.url));
const edgeDist = fileURLToPath(new URL('../dist/edge.mjs', import.meta.url));
/** The figure is 50,000; OUTBOX_CRASH_EVENTS lowers it on a slow machine. */
const CRASH_EVENTS = Number(process.env.OUTBOX_CRASH_EVENTS ?? 50_000);

/**
 * A producer: tracks `total` events with messageIds `<prefix><i>` in bursts, and after each burst
 * (once the outbox's 10 ms write interval has long passed: 250 ms, for a loaded machine) prints how many it has accepted.
 * A drainer (`total` 0): flushes what the outbox holds, closes, prints its stats.
 */
const CHILD = `
import { Analytics } from ${JSON.stringify(dist)};
const [url, dir, total, burst, prefix] = process.argv.slice(1);
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const analytics = new Analytics({
  writeKey: 'outbox-key', host: url, outbox: { type: 'file', dir }, flushAt: 100,
  maxQueueSize: 1000000, maxQueueBytes: 1e9, maxRetries: 1000, retryBaseDelay: 10, retryMaxDelay: 100, logger: quiet,
});
process.stdout.write('ready\\n');
for (let i = 0; i < Number(total); ) {
  const end = Math.min(Number(total), i + Number(burst));
  for (; i < end; i++) {
    if (!analytics.track({ userId: 'u', event: 'Burst', messageId: prefix + i, properties: { i } })) process.exit(3);
  }
  await new Promise((r) => setTimeout(r, 250));
  process.stdout.write('accepted ' + i + '\\n');
}
const report = await analytics.close({ timeout: 60000 });
process.stdout.write('done ' + JSON.stringify(report) + '\\n');
`;

function startChild(url: string, dir: string, total: number, burst: number, prefix: string) {
  return startScript(CHILD, [url, dir, String(total), String(burst), prefix]);
}

/** Runs a producer until it has accepted at least `killAt` events, then SIGKILLs it; returns how many it accepted. */
async function crashMidBurst(
  url: string,
  dir: string,
  total: number,
  killAt: number,
  prefix: string,
): Promise<number> {
  const child = startChild(url, dir, total, 2000, prefix);
  let accepted = 0;
  const deadline = Date.now() + 120_000;
  while (accepted < killAt) {
    if (Date.now() > deadline)
      throw new Error(`the producer accepted only ${accepted} events in time`);
    const line = await child.waitFor(new RegExp(`^accepted (\\d+)$`), deadline - Date.now());
    child.lines.splice(0, child.lines.indexOf(line) + 1);
    accepted = Number(line.split(' ')[1]);
  }
  child.process.kill('SIGKILL');
  await child.exited;
  return accepted;
}

async function drain(url: string, dir: string): Promise<string> {
  const child = startChild(url, dir, 0, 1, 'none');
  const done = await child.waitFor(/^done /, 120_000);
  await child.exited;
  return done;
}

function missing(server: IngestServer, prefix: string, count: number): string[] {
  const seen = new Set(server.messages().map((m) => m.messageId));
  const lost: string[] = [];
  for (let i = 0; i < count; i++) if (!seen.has(`${prefix}${i}`)) lost.push(`${prefix}${i}`);
  return lost;
}

let server: IngestServer;
const dirs: string[] = [];
const clients: Analytics[] = [];

beforeAll(async () => {
  server = await startIngestServer();
});
afterEach(async () => {
  vi.restoreAllMocks();
  killScripts();
  await Promise.all(clients.splice(0).map((c) => c.close({ timeout: 2000 })));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  server.requests.length = 0;
  server.setDefault({ status: 200 });
});
afterAll(() => server.close());

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-outbox-it-'));
  dirs.push(dir);
  return dir;
}

function client(dir: string) {
  const errors: AnalyticsError[] = [];
  const logger = captureLogger();
  const c = new Analytics({
    writeKey: 'outbox-key',
    host: server.url,
    retryBaseDelay: 1,
    retryMaxDelay: 5,
    flushInterval: 20,
    logger,
    outbox: { type: 'file', dir },
    onError: (error) => errors.push(error),
  });
  clients.push(c);
  return { c, errors, logger };
}

describe('the file outbox across a crash', () => {
  it(`delivers every event a process accepted before it was SIGKILLed mid-burst (${CRASH_EVENTS} events)`, async () => {
    const dir = tempDir();
    const accepted = await crashMidBurst(
      server.url,
      dir,
      CRASH_EVENTS,
      Math.floor(CRASH_EVENTS / 2),
      'crash-',
    );
    expect(accepted).toBeLessThan(CRASH_EVENTS);
    const done = await drain(server.url, dir);
    expect(done).toMatch(/"pending":0/);
    expect(missing(server, 'crash-', accepted)).toEqual([]);
    // Everything acknowledged: segments deleted, lock released.
    expect(readdirSync(dir)).toEqual([]);
  }, 240_000);

  it('delivers them when the endpoint was down during the crash and comes back after the restart', async () => {
    const dir = tempDir();
    server.setDefault({ status: 503 });
    const accepted = await crashMidBurst(server.url, dir, 6000, 3000, 'down-');
    server.requests.length = 0;
    const draining = drain(server.url, dir);
    // The new process retries against the endpoint that is still down, until it comes back.
    await vi.waitFor(() => expect(server.requests.length).toBeGreaterThan(2), {
      timeout: 30_000,
      interval: 20,
    });
    server.setDefault({ status: 200 });
    await draining;
    expect(missing(server, 'down-', accepted)).toEqual([]);
  }, 240_000);

  it('refuses a second live process on the same directory, naming the directory and the pid', async () => {
    const dir = tempDir();
    const holder = startChild(server.url, dir, 1_000_000, 10, 'hold-');
    await holder.waitFor(/^ready$/);
    expect(() => client(dir)).toThrow(
      `"outbox.dir" ${dir} is locked by process ${holder.process.pid}`,
    );
    holder.process.kill('SIGKILL');
    await holder.exited;
    // The lock of the dead process is stale: the next client takes it over, with a warning.
    const { c, logger } = client(dir);
    await c.flush();
    expect(logger.lines.join('\n')).toMatch(
      new RegExp(`taking over the lock of process ${holder.process.pid}, which is gone`),
    );
  }, 60_000);
});

describe('the file outbox at a natural process end', () => {
  it('writes what it buffered before the process exits, and the next client delivers it', async () => {
    const dir = tempDir();
    // Nothing is sent (flushOnExit: false, under flushAt, a long flushInterval): the events live only in the outbox.
    const script = `
      import { Analytics } from ${JSON.stringify(dist)};
      const analytics = new Analytics({ writeKey: 'k', host: ${JSON.stringify(server.url)}, flushOnExit: false,
        flushInterval: 60000, outbox: { type: 'file', dir: ${JSON.stringify(dir)} } });
      for (let i = 0; i < 50; i++) analytics.track({ userId: 'u', event: 'Exit', messageId: 'exit-' + i });`;
    expect(await runScript(script).exited).toBe(0);
    expect(server.requests).toEqual([]);
    const { c } = client(dir);
    expect(await c.flush()).toEqual({ delivered: 50, failed: 0, pending: 0 });
    expect(missing(server, 'exit-', 50)).toEqual([]);
  }, 30_000);
});

describe('the file outbox in process', () => {
  it('replays records before a torn write, skips the torn tail with a warning, and never fails the start', async () => {
    const dir = tempDir();
    const record = (i: number) =>
      encodeRecord(
        i,
        JSON.stringify({
          type: 'track',
          event: 'Torn',
          userId: 'u',
          messageId: `torn-${i}`,
          timestamp: new Date().toISOString(),
        }),
      );
    writeFileSync(join(dir, 'segment-0.log'), record(0) + record(1) + record(2).slice(0, 40));
    const { c, errors, logger } = client(dir);
    expect(await c.flush()).toEqual({ delivered: 2, failed: 0, pending: 0 });
    expect(server.messages().map((m) => m.messageId)).toEqual(['torn-0', 'torn-1']);
    expect(errors).toEqual([]);
    expect(logger.lines.join('\n')).toMatch(
      /segment-0\.log ends with 40 byte\(s\) of an unfinished write/,
    );
    await c.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('keeps what close() abandoned at its timeout, says so, and the next client delivers it', async () => {
    const dir = tempDir();
    server.setDefault({ hang: true });
    const first = client(dir);
    for (let i = 0; i < 5; i++)
      first.c.track({ userId: 'u', event: 'Kept', messageId: `kept-${i}` });
    expect(await first.c.close({ timeout: 300 })).toMatchObject({ delivered: 0, failed: 5 });
    expect(first.errors.map((e) => e.code)).toEqual(['FLUSH_TIMEOUT']);
    expect(first.errors[0]!.message).toMatch(
      /kept in the outbox: the next process that opens it delivers them/,
    );
    expect(existsSync(join(dir, 'outbox.lock'))).toBe(false);

    server.setDefault({ status: 200 });
    server.requests.length = 0;
    const second = client(dir);
    expect(await second.c.flush()).toEqual({ delivered: 5, failed: 0, pending: 0 });
    expect(new Set(server.messages().map((m) => m.messageId))).toEqual(
      new Set([0, 1, 2, 3, 4].map((i) => `kept-${i}`)),
    );
  });

  it('acknowledges an event reported as undeliverable, so no later process sends it again', async () => {
    const dir = tempDir();
    server.setDefault({ status: 400, body: '{"error":"bad"}' });
    const first = client(dir);
    first.c.track({ userId: 'u', event: 'Refused', messageId: 'refused-0' });
    expect(await first.c.close()).toMatchObject({ failed: 1 });
    expect(first.errors.map((e) => e.code)).toEqual(['HTTP_ERROR']);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reports a full disk through onError as OUTBOX_ERROR and keeps delivering from memory', async () => {
    const dir = tempDir();
    const probe = await open(join(dir, 'probe'), 'w');
    const prototype = Object.getPrototypeOf(probe) as {
      write: (...args: unknown[]) => Promise<unknown>;
    };
    await probe.close();
    rmSync(join(dir, 'probe'));
    vi.spyOn(prototype, 'write').mockRejectedValue(
      Object.assign(new Error('no space left on device, write'), { code: 'ENOSPC' }),
    );
    const { c, errors, logger } = client(dir);
    for (let i = 0; i < 10; i++)
      expect(c.track({ userId: 'u', event: 'Full', messageId: `full-${i}` })).toBe(true);
    expect(await c.flush()).toEqual({ delivered: 10, failed: 0, pending: 0 });
    await vi.waitFor(() => expect(errors.map((e) => e.code)).toEqual(['OUTBOX_ERROR']), {
      timeout: 10_000,
    });
    expect(errors[0]!.message).toMatch(/ENOSPC.*continuing in memory only/);
    expect(logger.lines.join('\n')).toMatch(/warn .*falling back to memory only/);
    expect(c.track({ userId: 'u', event: 'Full', messageId: 'full-after' })).toBe(true);
    expect(await c.flush()).toEqual({ delivered: 1, failed: 0, pending: 0 });
  });

  it('rejects an invalid outbox option at construction, listing the problem', () => {
    expect(() => new Analytics({ writeKey: 'k', outbox: { type: 'file', dir: '' } })).toThrow(
      /"outbox.dir" must be a non-empty string/,
    );
    expect(
      () =>
        new Analytics({
          writeKey: 'k',
          outbox: { type: 'file', dir: 'x', fsync: 'sometimes' as 'never' },
        }),
    ).toThrow(/"outbox.fsync" must be 'never', 'interval' or 'always'/);
    expect(
      () =>
        new Analytics({
          writeKey: 'k',
          outbox: { type: 'disk' } as unknown as { type: 'file'; dir: string },
        }),
    ).toThrow(/"outbox.type" must be 'file' or 'redis'/);
  });
});

describe('the edge build', () => {
  it('refuses an outbox at construction: it needs Node.js', async () => {
    const script = `
      const { Analytics } = await import(${JSON.stringify(edgeDist)});
      try { new Analytics({ writeKey: 'k', outbox: { type: 'file', dir: '/tmp/never-created' } }); console.log('constructed'); }
      catch (error) { console.log(error.code + ': ' + error.message); }`;
    const child = startScript(script);
    await child.exited;
    expect(child.lines.join('\n')).toMatch(
      /^INVALID_OPTIONS: Invalid Analytics options:\n- "outbox" needs Node\.js/,
    );
    expect(existsSync('/tmp/never-created')).toBe(false);
  });
});
