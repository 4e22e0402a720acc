import { createServer, type Server } from 'node:http';
import { Analytics } from '@tributary/core';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireClient, CLIENT_SYMBOL } from './shared-client.js';

const g = globalThis as Record<symbol, unknown>;
let server: Server | undefined;
const realFetch = globalThis.fetch;

afterEach(async () => {
  globalThis.fetch = realFetch;
  await (g[CLIENT_SYMBOL] as Analytics | undefined)?.close({ timeout: 1000 });
  delete g[CLIENT_SYMBOL];
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

describe('the shared client on Node.js', () => {
  it("sends its batches through its own undici transport, never through Next's patched global fetch", async () => {
    const bodies: string[] = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        bodies.push(body);
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    // Next.js replaces globalThis.fetch with its caching and tracing wrapper in every route.
    let fetchCalls = 0;
    globalThis.fetch = (...args: Parameters<typeof fetch>) => {
      fetchCalls++;
      return realFetch(...args);
    };
    const client = acquireClient(Analytics, {
      writeKey: 'k',
      host: `http://127.0.0.1:${String(port)}`,
    });
    client.track('user-1', 'Order Completed');
    const report = await client.flush({ timeout: 5000 });
    expect(report.delivered).toBe(1);
    expect(bodies.join('')).toContain('"Order Completed"');
    expect(fetchCalls).toBe(0);
  });
});
