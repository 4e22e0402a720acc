import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';

// The real collector: its programmatic API is the contract these suites are written against.
export { startCollector, type RunningCollector, type StoredEvent } from '@tributary/collector';

// The version matrix (scripts/test-matrix.mjs) points this at the same build installed beside Nest 11.
const MAIN =
  process.env.TRIBUTARY_NEST_MAIN ??
  fileURLToPath(new URL('../../apps/example-nestjs/dist/main.js', import.meta.url));

export type Platform = 'express' | 'fastify';

/** How a process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running example shop: `apps/example-nestjs` in its own Node process. */
export interface NestShop {
  url: string;
  child: ChildProcess;
  exited: Promise<Exit>;
  stdout(): string;
  stderr(): string;
  /** SIGTERM, then SIGKILL if it is still running after `timeout` ms. */
  stop(timeout?: number): Promise<Exit>;
}

function spawnShop(
  platform: Platform,
  collectorUrl: string,
  env: Record<string, string>,
): {
  child: ChildProcess;
  exited: Promise<Exit>;
  out: { stdout: string; stderr: string };
} {
  if (!existsSync(MAIN)) {
    throw new Error(
      `${MAIN} is missing: build the example first (cd apps/example-nestjs && npm run build)`,
    );
  }
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      PORT: '0',
      PLATFORM: platform,
      TRIBUTARY_HOST: collectorUrl,
      TRIBUTARY_WRITE_KEY: 'nest-e2e-key',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out.stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out.stderr += chunk));
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, out };
}

/** Starts the example on `platform` and a free port, sending to `collectorUrl`. */
export async function startNestShop(
  platform: Platform,
  collectorUrl: string,
  env: Record<string, string> = {},
): Promise<NestShop> {
  const { child, exited, out } = spawnShop(platform, collectorUrl, env);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail('did not print its address within 20 s'), 20_000);
    function fail(why: string): void {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`example-nestjs (${platform}) ${why}; output:\n${out.stdout}${out.stderr}`));
    }
    child.stdout!.on('data', () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out.stdout);
      if (match?.[1] === undefined) return;
      clearTimeout(timer);
      resolve(match[1]);
    });
    void exited.then(({ code }) => fail(`exited early with code ${code}`));
  });
  return {
    url,
    child,
    exited,
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    async stop(timeout = 15_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
        void exited.then(() => clearTimeout(timer));
      }
      return exited;
    },
  };
}

/** Runs the example expecting it to stop by itself (a refused start); kills it after `timeout` ms. */
export async function runNestShopToExit(
  platform: Platform,
  collectorUrl: string,
  env: Record<string, string>,
  timeout = 20_000,
): Promise<Exit & { stdout: string; stderr: string }> {
  const { child, exited, out } = spawnShop(platform, collectorUrl, env);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
  const exit = await exited;
  clearTimeout(timer);
  return { ...exit, ...out };
}

export interface Reply {
  status: number;
  body: string;
}

/**
 * A plain HTTP request on a fresh connection, so any header (Cookie, X-Forwarded-For) goes out
 * exactly as given.
 */
export function send(
  url: string,
  init: { method?: string; headers?: Record<string, string>; json?: unknown } = {},
): Promise<Reply> {
  const headers = {
    ...init.headers,
    ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
  };
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: init.method ?? 'GET', headers, agent: false, timeout: 10_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer within 10 s`)));
    req.on('error', reject);
    req.end(init.json === undefined ? undefined : JSON.stringify(init.json));
  });
}

/** analytics.js's cookie: the id JSON-quoted, then URI-encoded. */
export function anonymousCookie(id: string): string {
  return `ajs_anonymous_id=${encodeURIComponent(JSON.stringify(id))}`;
}
