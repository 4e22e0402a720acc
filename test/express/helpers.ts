import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request, type Agent } from 'node:http';
import { fileURLToPath } from 'node:url';

// The real collector. Its programmatic API is the contract these suites are written against.
export { startCollector, type RunningCollector, type StoredEvent } from '@tributary/collector';

/** The built example shop (Express 5, ESM). */
export const SHOP_SERVER = fileURLToPath(
  new URL('../../apps/example-express/dist/server.js', import.meta.url),
);
/** A minimal Express 4 app that loads the built package through CommonJS. */
export const EXPRESS4_SERVER = fileURLToPath(
  new URL('./fixtures/express4-server.cjs', import.meta.url),
);

/** A running example shop: a separate Node process. */
export interface Shop {
  url: string;
  child: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
  /** SIGTERM, then SIGKILL if it is still running after `timeout` ms. */
  stop(timeout?: number): Promise<void>;
}

/** Starts an app (the example shop by default) on a free port, sending to `collectorUrl`. */
export async function startShop(
  collectorUrl: string,
  env: Record<string, string> = {},
  script = SHOP_SERVER,
): Promise<Shop> {
  if (!existsSync(script)) {
    throw new Error(
      `${script} is missing: build first (packages/express: npx tsdown; apps/example-express: npx tsc -p tsconfig.build.json)`,
    );
  }
  const child = spawn(process.execPath, [script], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      PORT: '0',
      TRIBUTARY_HOST: collectorUrl,
      TRIBUTARY_WRITE_KEY: 'e2e-write-key',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail('did not print its address within 15 s'), 15_000);
    function fail(why: string): void {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${script} ${why}; output:\n${output}`));
    }
    child.stdout.on('data', () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
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
    output: () => output,
    async stop(timeout = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface Reply {
  status: number;
  body: string;
}

/** A plain HTTP request, so any header (Cookie, X-Forwarded-For, Referer) goes out exactly as given. */
export function send(
  url: string,
  init: { method?: string; headers?: Record<string, string>; json?: unknown; agent?: Agent } = {},
): Promise<Reply> {
  const headers = {
    ...init.headers,
    ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
  };
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: init.method ?? 'GET', headers, agent: init.agent ?? false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(init.json === undefined ? undefined : JSON.stringify(init.json));
  });
}

/** analytics.js's cookie: the id JSON-quoted, then URI-encoded. */
export function anonymousCookie(id: string): string {
  return `ajs_anonymous_id=${encodeURIComponent(JSON.stringify(id))}`;
}
