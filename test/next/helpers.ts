import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { gunzipSync } from 'node:zlib';

export const APP_DIR = new URL('../../apps/example-next/', import.meta.url).pathname;
const NEXT_BIN = new URL('../../node_modules/next/dist/bin/next', import.meta.url).pathname;

/** What a test needs of a collector: the subset of `@tributary/collector`'s `startCollector()` used here. */
export interface StoredEvent {
  message: Record<string, any>;
  messageId: string;
  type: string;
  event?: string;
  userId?: string;
  anonymousId?: string;
  receivedAt: string;
}

export interface TestCollector {
  url: string;
  port: number;
  close(): Promise<void>;
  events(
    filter?: Partial<Pick<StoredEvent, 'type' | 'event' | 'userId' | 'anonymousId'>>,
  ): StoredEvent[];
  stats(): { requests: number; events: number };
  waitForEvents(n: number, options?: { timeout?: number }): Promise<StoredEvent[]>;
  faults: { set(spec: { latency?: number }): void; clear(): void };
  reset(): void;
}

const COLLECTOR_DIST = new URL('../../packages/collector/dist/index.mjs', import.meta.url);

/** The real collector when it is built, else a small stand-in with the same surface. */
export async function startTestCollector(): Promise<TestCollector> {
  if (existsSync(COLLECTOR_DIST)) {
    const { startCollector } = (await import(COLLECTOR_DIST.href)) as {
      startCollector(options: {
        port: number;
        host: string;
        memory: boolean;
        quiet: boolean;
      }): Promise<TestCollector>;
    };
    return startCollector({ port: 0, host: '127.0.0.1', memory: true, quiet: true });
  }
  return startStandInCollector();
}

/** A Segment-compatible sink on 127.0.0.1: stores every message of `/v1/*` posts, can answer slowly. */
export async function startStandInCollector(): Promise<TestCollector> {
  let stored: StoredEvent[] = [];
  let requests = 0;
  let latency = 0;
  const server = createServer((req, res) => {
    requests++;
    void readBody(req).then(async (body) => {
      if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
      try {
        const payload = JSON.parse(body) as { batch?: Record<string, any>[] } & Record<string, any>;
        const messages = Array.isArray(payload.batch) ? payload.batch : [payload];
        const receivedAt = new Date().toISOString();
        for (const message of messages) {
          stored.push({
            message,
            messageId: message.messageId,
            type: message.type,
            event: message.event,
            userId: message.userId,
            anonymousId: message.anonymousId,
            receivedAt,
          });
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true}');
      } catch {
        res.writeHead(400).end('{"success":false}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const events: TestCollector['events'] = (filter = {}) =>
    stored.filter((e) =>
      Object.entries(filter).every(([key, value]) => e[key as keyof StoredEvent] === value),
    );
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    events,
    stats: () => ({ requests, events: stored.length }),
    async waitForEvents(n, { timeout = 10_000 } = {}) {
      await until(() => stored.length >= n, timeout, `${n} events (have ${stored.length})`);
      return stored;
    },
    faults: {
      set: (spec) => (latency = spec.latency ?? 0),
      clear: () => (latency = 0),
    },
    reset: () => {
      stored = [];
      requests = 0;
    },
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  return (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
}

/** Polls `condition` every 50 ms; fails with `what` after `timeout` ms. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  timeout: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The events that match `predicate`, waiting (bounded) until at least one does. */
export async function waitForEvent(
  collector: TestCollector,
  predicate: (e: StoredEvent) => boolean,
  what: string,
  timeout = 10_000,
): Promise<StoredEvent> {
  let found: StoredEvent | undefined;
  await until(
    () => (found = collector.events().find(predicate)) !== undefined,
    timeout,
    `${what}; received: ${collector
      .events()
      .map((e) => e.event ?? e.type)
      .join(', ')}`,
  );
  return found!;
}

export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface RunResult {
  code: number | null;
  output: string;
}

/** Runs `next <args>` in the example app (or `cwd`) with telemetry off. */
export function runNext(
  args: string[],
  env: Record<string, string>,
  cwd: string = APP_DIR,
): { child: ChildProcess; done: Promise<RunResult>; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, [NEXT_BIN, ...args], {
    cwd,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const done = new Promise<RunResult>((resolve) =>
    child.on('exit', (code) => resolve({ code, output })),
  );
  return { child, done, output: () => output };
}

/** Stops a process this suite started, by its own pid. */
export async function stop(child: ChildProcess, done: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await done;
  clearTimeout(timer);
}

export const SERVER_APP_DIR = new URL('./fixtures/server-app/', import.meta.url).pathname;

/**
 * `next build` of a fixture app, skipped when its build is newer than its sources and than the
 * built `@tributary/next` (building takes a minute on a small machine; suites share the build).
 */
export async function buildFixture(dir: string, env: Record<string, string> = {}): Promise<void> {
  const built = `${dir}.next/BUILD_ID`;
  if (existsSync(built)) {
    const builtAt = statSync(built).mtimeMs;
    const inputs = [...listFiles(dir), ...listFiles(NEXT_PACKAGE_DIST)];
    if (inputs.every((file) => statSync(file).mtimeMs < builtAt)) return;
  }
  const build = await runNext(['build'], env, dir).done;
  if (build.code !== 0) throw new Error(`next build of ${dir} failed:\n${build.output}`);
}

const NEXT_PACKAGE_DIST = new URL('../../packages/next/dist/', import.meta.url).pathname;

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => `${entry.parentPath}/${entry.name}`)
    .filter((file) => !file.includes('/.next/') && !file.includes('/node_modules/'));
}

/** A `next start` this suite runs. */
export interface RunningNext {
  url: string;
  child: ChildProcess;
  done: Promise<RunResult>;
  output: () => string;
}

/**
 * `next start` of a built app on a free port on 127.0.0.1, resolved once `probe` answers (with a
 * 2xx, or with anything when `anyAnswer`, for a path the app does not serve).
 */
export async function startNext(
  dir: string,
  env: Record<string, string>,
  probe = '/api/ip?id=probe',
  { anyAnswer = false }: { anyAnswer?: boolean } = {},
): Promise<RunningNext> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = runNext(['start', '-p', String(port), '-H', '127.0.0.1'], env, dir);
  await until(
    async () => {
      if (server.child.exitCode !== null) throw new Error(`next start exited:\n${server.output()}`);
      return fetch(`${url}${probe}`).then(
        (r) => anyAnswer || r.ok,
        () => false,
      );
    },
    60_000,
    'next start to answer',
  );
  return { url, ...server };
}
