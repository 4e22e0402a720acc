// The Redis outbox against a real redis-server on 127.0.0.1: two instances share a stream, one is
// SIGKILLed in the middle of a burst, and the living one claims and delivers what it accepted.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Analytics, type AnalyticsError } from '../src/index.js';
import { captureLogger, startIngestServer, type IngestServer } from './helpers/ingest-server.js';
import { killScripts, runScript, startScript } from './helpers/script-child.js';

const REDIS_SERVER = '/usr/bin/redis-server';
const dist = fileURLToPath(new URL('../dist/index.mjs', import.meta.url));

/**
 * A producer (`total` > 0): tracks events with messageIds `<prefix><i>` in bursts and prints how
 * many it has accepted after each. A survivor (`total` 0): tracks nothing, delivers what it
 * claims, and closes when its stdin ends.
 */
const CHILD = `
import { Analytics } from ${JSON.stringify(dist)};
const [url, redisUrl, stream, total, burst, prefix] = process.argv.slice(1);
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const analytics = new Analytics({
  writeKey: 'outbox-key', host: url, outbox: { type: 'redis', url: redisUrl, stream, claimAfter: 1000 },
  flushAt: 100, maxQueueSize: 1000000, maxQueueBytes: 1e9, retryBaseDelay: 10, retryMaxDelay: 100, logger: quiet,
  onError: (error) => process.stdout.write('error ' + error.code + ' ' + error.message + '\\n'),
});
await analytics.flush();
process.stdout.write('ready\\n');
for (let i = 0; i < Number(total); ) {
  const end = Math.min(Number(total), i + Number(burst));
  for (; i < end; i++) {
    if (!analytics.track({ userId: 'u', event: 'Burst', messageId: prefix + i, properties: { i } })) process.exit(3);
  }
  await new Promise((r) => setTimeout(r, 250));
  process.stdout.write('accepted ' + i + '\\n');
}
if (Number(total) === 0) {
  process.stdin.resume();
  await new Promise((r) => process.stdin.on('end', r));
}
const report = await analytics.close({ timeout: 30000 });
process.stdout.write('done ' + JSON.stringify(report) + '\\n');
`;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Whether a Redis server answers PING on `port` (not merely something accepting connections). */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setEncoding('utf8');
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: string) => {
      reply += chunk;
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.connect(port, '127.0.0.1');
  });
}

/**
 * A redis-server of the suite's own on a free port. The port is free when picked but another
 * process may bind it before redis-server does; redis-server then exits, and another port is tried.
 */
async function startRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const redis = spawn(
      REDIS_SERVER,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    let running = true;
    const exited = new Promise<void>((resolve) =>
      redis.on('exit', () => {
        running = false;
        resolve();
      }),
    );
    const deadline = Date.now() + 10_000;
    while (running && !(await answersPing(port))) {
      if (Date.now() > deadline) {
        redis.kill('SIGKILL');
        throw new Error('redis-server did not answer PING within 10 s');
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (running) {
      return {
        url: `redis://127.0.0.1:${port}`,
        stop: async () => {
          redis.kill('SIGKILL');
          await exited;
        },
      };
    }
    if (attempt === 3) throw new Error('redis-server exited at start three times in a row');
  }
}

let server: IngestServer;
let redis: { url: string; stop: () => Promise<void> } | undefined;
const clients: Analytics[] = [];

// `.ci/run` installs redis-server; a machine without it fails here with a clear message instead of skipping.
if (!existsSync(REDIS_SERVER)) {
  throw new Error(
    `${REDIS_SERVER} is missing: install it with \`apt-get install -y redis-server\` (.ci/run does)`,
  );
}

describe('the Redis outbox', () => {
  beforeAll(async () => {
    server = await startIngestServer();
    redis = await startRedis();
  });
  afterEach(async () => {
    killScripts();
    await Promise.all(clients.splice(0).map((c) => c.close({ timeout: 2000 })));
    server.requests.length = 0;
    server.setDefault({ status: 200 });
  });
  afterAll(async () => {
    await redis?.stop();
    await server?.close();
  });

  it('lets a living instance claim and deliver what a SIGKILLed instance accepted', async () => {
    const stream = `events-${Date.now()}`;
    const survivor = startScript(CHILD, [server.url, redis!.url, stream, '0', '1', 'none']);
    await survivor.waitFor(/^ready$/);
    const producer = startScript(CHILD, [
      server.url,
      redis!.url,
      stream,
      '20000',
      '2000',
      'redis-',
    ]);
    // The endpoint stalls, so the producer dies holding accepted, undelivered events.
    let accepted = 0;
    while (accepted < 8000) {
      const line = await producer.waitFor(/^accepted (\d+)$/);
      producer.lines.splice(0, producer.lines.indexOf(line) + 1);
      accepted = Number(line.split(' ')[1]);
      if (accepted >= 4000) server.setDefault({ hang: true });
    }
    producer.process.kill('SIGKILL');
    await producer.exited;
    server.setDefault({ status: 200 });

    const expected = Array.from({ length: accepted }, (_, i) => `redis-${i}`);
    await vi.waitFor(
      () => {
        const seen = new Set(server.messages().map((m) => m.messageId));
        expect(expected.filter((id) => !seen.has(id))).toEqual([]);
      },
      { timeout: 60_000, interval: 200 },
    );
    survivor.process.stdin!.end();
    expect(await survivor.waitFor(/^done /, 30_000)).toMatch(/"pending":0/);
    expect(survivor.lines.filter((l) => l.startsWith('error '))).toEqual([]);
  }, 180_000);

  it('lets a process that never calls close() end naturally once its events are delivered', async () => {
    const script = `
      import { Analytics } from ${JSON.stringify(dist)};
      const analytics = new Analytics({ writeKey: 'k', host: ${JSON.stringify(server.url)},
        outbox: { type: 'redis', url: ${JSON.stringify(redis!.url)}, stream: 'natural-end' } });
      for (let i = 0; i < 10; i++) analytics.track({ userId: 'u', event: 'Natural', messageId: 'natural-' + i });`;
    const code = await Promise.race([
      runScript(script).exited,
      new Promise((resolve) => setTimeout(() => resolve('still running after 15 s'), 15_000)),
    ]);
    expect(code).toBe(0);
    expect(new Set(server.messages().map((m) => m.messageId)).size).toBe(10);
  }, 30_000);

  it('reports an unreachable Redis through onError as OUTBOX_ERROR and delivers from memory', async () => {
    const errors: AnalyticsError[] = [];
    const logger = captureLogger();
    const port = await freePort();
    const c = new Analytics({
      writeKey: 'outbox-key',
      host: server.url,
      flushInterval: 20,
      logger,
      outbox: { type: 'redis', url: `redis://:hunter2@127.0.0.1:${port}`, stream: 'unreachable' },
      onError: (error) => errors.push(error),
    });
    clients.push(c);
    for (let i = 0; i < 3; i++)
      expect(c.track({ userId: 'u', event: 'Offline', messageId: `offline-${i}` })).toBe(true);
    expect(await c.flush()).toEqual({ delivered: 3, failed: 0, pending: 0 });
    expect(errors.map((e) => e.code)).toEqual(['OUTBOX_ERROR']);
    expect(errors[0]!.message).toMatch(
      /Redis stream unreachable at redis:\/\/\[redacted\]@127\.0\.0\.1:\d+ failed \(.*ECONNREFUSED/,
    );
    expect(errors[0]!.message).not.toContain('hunter2');
    expect(logger.lines.join('\n')).toMatch(/warn .*falling back to memory only/);
    expect(await c.close()).toEqual({ delivered: 0, failed: 0, pending: 0 });
  });

  it('acknowledges and deletes delivered entries, leaving the stream empty', async () => {
    const stream = `acked-${Date.now()}`;
    const c = new Analytics({
      writeKey: 'outbox-key',
      host: server.url,
      flushInterval: 20,
      logger: captureLogger(),
      outbox: { type: 'redis', url: redis!.url, stream },
    });
    for (let i = 0; i < 50; i++) c.track({ userId: 'u', event: 'Acked', messageId: `acked-${i}` });
    expect(await c.close()).toEqual({ delivered: 50, failed: 0, pending: 0 });
    const { Redis } = await import('ioredis');
    const probe = new Redis(redis!.url);
    try {
      expect(await probe.xlen(stream)).toBe(0);
      expect(await probe.xpending(stream, 'tributary')).toEqual([0, null, null, null]);
    } finally {
      probe.disconnect();
    }
  });
});
