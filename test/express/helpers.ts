import { request, type Agent } from 'node:http';
import { fileURLToPath } from 'node:url';
import { startServingApp, type AppProcess } from '../app-process.js';

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
export type Shop = AppProcess & { url: string };

/** Starts an app (the example shop by default) on a free port, sending to `collectorUrl`. */
export function startShop(
  collectorUrl: string,
  env: Record<string, string> = {},
  script = SHOP_SERVER,
): Promise<Shop> {
  return startServingApp(
    script,
    { TRIBUTARY_HOST: collectorUrl, TRIBUTARY_WRITE_KEY: 'e2e-write-key', ...env },
    {
      label: script,
      buildHint:
        'build first (packages/express: npx tsdown; apps/example-express: npx tsc -p tsconfig.build.json)',
      timeout: 15_000,
    },
  );
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
