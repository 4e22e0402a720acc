// The edge build, run inside Vercel's Edge Runtime emulator: no `node:` modules, global fetch,
// Web Crypto and CompressionStream.
import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EdgeRuntime } from 'edge-runtime';
import { rolldown } from 'rolldown';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngestServer, type IngestServer } from './helpers/ingest-server.js';

const edgeEntry = fileURLToPath(new URL('../dist/edge.mjs', import.meta.url));
let server: IngestServer;
let bundle: string;

beforeAll(async () => {
  server = await startIngestServer();
  // Bundle the published edge entry the way an edge bundler would: browser platform, nothing external.
  const build = await rolldown({ input: edgeEntry, platform: 'browser', logLevel: 'silent' });
  const { output } = await build.generate({ format: 'iife', name: 'Tributary', exports: 'named' });
  bundle = output[0].code;
});
afterAll(() => server.close());

/**
 * The emulator lacks two globals that Vercel's Edge Runtime has: AsyncLocalStorage and
 * CompressionStream. `withPlatformGlobals` adds them, as the real platform does.
 */
async function runInEdge<T>(code: string, withPlatformGlobals = false): Promise<T> {
  const runtime = new EdgeRuntime({
    initialCode: bundle,
    extend: (context) => {
      if (withPlatformGlobals) Object.assign(context, { AsyncLocalStorage, CompressionStream });
      return context;
    },
  });
  return await runtime.evaluate(`(async () => { ${code} })()`);
}

describe('the edge build', () => {
  it('imports no node: module', () => {
    const source = readFileSync(edgeEntry, 'utf8');
    expect(source).not.toMatch(/from\s+["']node:/);
    expect(bundle).not.toMatch(/require\(["']node:/);
  });

  it('delivers a batch with fetch inside the Edge Runtime', async () => {
    const result = await runInEdge<{ accepted: boolean; report: unknown }>(`
      const analytics = new Tributary.Analytics({ writeKey: 'edge-key', host: ${JSON.stringify(server.url)} });
      const accepted = analytics.track('edge-user', 'Edge Event', { runtime: 'edge' });
      const report = await analytics.flush();
      return { accepted, report };
    `);
    expect(result).toEqual({ accepted: true, report: { delivered: 1, failed: 0, pending: 0 } });
    const request = server.requests.at(-1)!;
    expect(request.headers.authorization).toBe(
      `Basic ${Buffer.from('edge-key:').toString('base64')}`,
    );
    expect(request.body.batch[0]).toMatchObject({
      type: 'track',
      userId: 'edge-user',
      event: 'Edge Event',
    });
    expect(request.body.batch[0]!.messageId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('ignores the proxy option and posts with the platform’s fetch', async () => {
    // Port 9 on 127.0.0.1 has no listener: a client that tried this proxy could not deliver.
    const result = await runInEdge<{ accepted: boolean; report: unknown }>(`
      const analytics = new Tributary.Analytics({
        writeKey: 'edge-key',
        host: ${JSON.stringify(server.url)},
        proxy: 'http://127.0.0.1:9',
        privacy: { ip: 'omit' },
      });
      const accepted = analytics.track({ userId: 'edge-user', event: 'Proxied?', context: { ip: '203.0.113.9' } });
      const report = await analytics.flush();
      return { accepted, report };
    `);
    expect(result).toEqual({ accepted: true, report: { delivered: 1, failed: 0, pending: 0 } });
    const sent = server.requests.at(-1)!.body.batch[0]!;
    expect(sent).toMatchObject({ event: 'Proxied?' });
    expect(sent.context).not.toHaveProperty('ip');
  });

  it('compresses with CompressionStream when the platform has it', async () => {
    await runInEdge(
      `
      const analytics = new Tributary.Analytics({ writeKey: 'k', host: ${JSON.stringify(server.url)}, gzip: true });
      analytics.track('u', 'Gzipped on the edge');
      await analytics.flush();
    `,
      true,
    );
    const request = server.requests.at(-1)!;
    expect(request.headers['content-encoding']).toBe('gzip');
    expect(request.body.batch[0]).toMatchObject({ event: 'Gzipped on the edge' });
  });

  it('sends uncompressed, rather than failing, where CompressionStream is missing', async () => {
    await runInEdge(`
      const analytics = new Tributary.Analytics({ writeKey: 'k', host: ${JSON.stringify(server.url)}, gzip: true });
      analytics.track('u', 'Plain on the edge');
      await analytics.flush();
    `);
    const request = server.requests.at(-1)!;
    expect(request.headers['content-encoding']).toBeUndefined();
    expect(request.body.batch[0]).toMatchObject({ event: 'Plain on the edge' });
  });

  it('merges request context with the runtime AsyncLocalStorage', async () => {
    await runInEdge(
      `
      const analytics = new Tributary.Analytics({ writeKey: 'k', host: ${JSON.stringify(server.url)} });
      await analytics.withContext({ ip: '203.0.113.7' }, async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        analytics.track('u', 'Scoped on the edge');
      });
      await analytics.flush();
    `,
      true,
    );
    expect(server.requests.at(-1)!.body.batch[0]).toMatchObject({
      event: 'Scoped on the edge',
      context: { ip: '203.0.113.7' },
    });
  });
});
