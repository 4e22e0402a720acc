import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { spawnApp, startServingApp, type AppProcess, type Exit } from '../app-process.js';

// The real collector: its programmatic API is the contract these suites are written against.
export { startCollector, type RunningCollector, type StoredEvent } from '@tributary/collector';

// The version matrix (scripts/test-matrix.mjs) points this at the same build installed beside Nest 11.
const MAIN =
  process.env.TRIBUTARY_NEST_MAIN ??
  fileURLToPath(new URL('../../apps/example-nestjs/dist/main.js', import.meta.url));

export type Platform = 'express' | 'fastify';

export type { Exit };

/** A running example shop: `apps/example-nestjs` in its own Node process. */
export type NestShop = AppProcess & { url: string };

const BUILD_HINT = 'build the example first (cd apps/example-nestjs && npm run build)';

function shopEnv(platform: Platform, collectorUrl: string, env: Record<string, string>) {
  return {
    PLATFORM: platform,
    TRIBUTARY_HOST: collectorUrl,
    TRIBUTARY_WRITE_KEY: 'nest-e2e-key',
    ...env,
  };
}

/** Starts the example on `platform` and a free port, sending to `collectorUrl`. */
export function startNestShop(
  platform: Platform,
  collectorUrl: string,
  env: Record<string, string> = {},
): Promise<NestShop> {
  return startServingApp(MAIN, shopEnv(platform, collectorUrl, env), {
    label: `example-nestjs (${platform})`,
    buildHint: BUILD_HINT,
    timeout: 20_000,
  });
}

/** Runs the example expecting it to stop by itself (a refused start); kills it after `timeout` ms. */
export async function runNestShopToExit(
  platform: Platform,
  collectorUrl: string,
  env: Record<string, string>,
  timeout = 20_000,
): Promise<Exit & { stdout: string; stderr: string }> {
  const app = spawnApp(MAIN, shopEnv(platform, collectorUrl, env), BUILD_HINT);
  const timer = setTimeout(() => app.child.kill('SIGKILL'), timeout);
  const exit = await app.exited;
  clearTimeout(timer);
  return { ...exit, stdout: app.stdout(), stderr: app.stderr() };
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
