import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'rolldown';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngestServer, type IngestServer } from './helpers/ingest-server.js';

let server: IngestServer;
// Inside the package, so '@tributary/core' resolves through the workspace like an app's import.
const cache = fileURLToPath(new URL('../node_modules/.cache/', import.meta.url));
mkdirSync(cache, { recursive: true });
const work = mkdtempSync(join(cache, 'runtime-binding-'));
beforeAll(async () => {
  server = await startIngestServer();
});
afterAll(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

// Asynchronous on purpose: the ingest server lives in this process and must keep answering.
const node = async (file: string) =>
  (
    await promisify(execFile)(process.execPath, [file], {
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, INGEST_URL: server.url },
    })
  ).stdout;

describe('runtimes are bound by the entry that built the client', () => {
  it('keeps "sideEffects": false in package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      sideEffects: unknown;
    };
    expect(pkg.sideEffects).toBe(false);
  });

  it('works in a production bundle of an app that imports Analytics and creates a client', async () => {
    const entry = join(work, 'app.mjs');
    writeFileSync(
      entry,
      `import { Analytics } from '@tributary/core';
      const analytics = new Analytics({ writeKey: 'k', host: process.env.INGEST_URL });
      analytics.track('u', 'From A Bundle');
      console.log(JSON.stringify(await analytics.close()));`,
    );
    const bundle = join(work, 'bundle.mjs');
    await build({
      input: entry,
      platform: 'node',
      treeshake: true,
      logLevel: 'silent',
      external: [/^node:/, 'undici', 'jose', 'ioredis'],
      output: { file: bundle, format: 'esm', minify: true },
    });
    // The bundle really went through tree-shaking: the entry's own code is in it.
    expect(readFileSync(bundle, 'utf8')).toContain('From A Bundle');
    expect(JSON.parse(await node(bundle))).toEqual({ delivered: 1, failed: 0, pending: 0 });
    expect(server.messages().some((m) => m.event === 'From A Bundle')).toBe(true);
  });

  it('lets a Node process load the edge entry first and still use an outbox and request scopes from the main entry', async () => {
    const script = join(work, 'edge-first.mjs');
    const outbox = join(work, 'outbox');
    writeFileSync(
      script,
      `import { Analytics as EdgeAnalytics } from '@tributary/core/edge';
      import { Analytics } from '@tributary/core';
      let edgeOutbox;
      try {
        new EdgeAnalytics({ writeKey: 'k', outbox: { type: 'file', dir: ${JSON.stringify(outbox)} } });
      } catch (error) {
        edgeOutbox = error.code;
      }
      const analytics = new Analytics({
        writeKey: 'k',
        host: process.env.INGEST_URL,
        outbox: { type: 'file', dir: ${JSON.stringify(outbox)} },
      });
      await analytics.withContext({ ip: '203.0.113.7' }, async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        analytics.track('u', 'Edge Loaded First');
      });
      console.log(JSON.stringify({ edgeOutbox, report: await analytics.close() }));`,
    );
    expect(JSON.parse(await node(script))).toEqual({
      edgeOutbox: 'INVALID_OPTIONS',
      report: { delivered: 1, failed: 0, pending: 0 },
    });
    const message = server.messages().find((m) => m.event === 'Edge Loaded First');
    expect((message?.context as { ip?: string } | undefined)?.ip).toBe('203.0.113.7');
  });
});
