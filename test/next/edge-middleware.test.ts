import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  runNext,
  startNext,
  startTestCollector,
  stop,
  waitForEvent,
  type RunningNext,
  type TestCollector,
} from './helpers.js';

// A minimal app whose middleware.ts runs on the edge runtime (Next 16 keeps it for that).
const FIXTURE = new URL('./fixtures/edge-middleware-app/', import.meta.url).pathname;

let collector: TestCollector;
let server: RunningNext | undefined;
let baseUrl: string;
let requestsDuringBuild = -1;
let buildOutput = '';

beforeAll(async () => {
  collector = await startTestCollector();
  const env = { TRIBUTARY_WRITE_KEY: 'edge-key', TRIBUTARY_HOST: collector.url };
  const build = await runNext(['build'], env, FIXTURE).done;
  if (build.code !== 0) {
    const hint = /A Node\.js API is used \(CompressionStream/.test(build.output)
      ? '\nCore issue: @tributary/core/edge names `CompressionStream` as a free identifier, which Next rejects in middleware; it must read `globalThis.CompressionStream`.'
      : '';
    throw new Error(`next build failed:${hint}\n${build.output}`);
  }
  requestsDuringBuild = collector.stats().requests;
  buildOutput = build.output;
  server = await startNext(FIXTURE, env, '/favicon.ico', { anyAnswer: true });
  baseUrl = server.url;
});

afterAll(async () => {
  if (server !== undefined) await stop(server.child, server.done);
  await collector?.close();
});

describe('edge middleware (middleware.ts on the edge runtime)', () => {
  it('is built for the edge runtime from core’s edge build only', () => {
    expect(requestsDuringBuild).toBe(0);
    const manifest = JSON.parse(
      readFileSync(`${FIXTURE}.next/server/middleware-manifest.json`, 'utf8'),
    ) as {
      middleware: Record<string, { files: string[] }>;
    };
    const files = manifest.middleware['/']?.files ?? [];
    expect(files.length).toBeGreaterThan(0);
    const code = files.map((file) => readFileSync(`${FIXTURE}.next/${file}`, 'utf8')).join('\n');
    expect(code).toContain('tributary.next.client');
    expect(code).not.toMatch(/undici|node:zlib/);
    expect(code).toContain('CompressionStream');
    // jose is imported by subpath, so its JWE deflate module (CompressionStream) stays out of the
    // edge bundle and Next has nothing to warn about.
    expect(buildOutput).not.toMatch(/A Node\.js API is used/);
  });

  it('records page views, seeds the cookie and delivers through event.waitUntil', async () => {
    const response = await fetch(`${baseUrl}/`, {
      headers: { 'user-agent': 'edge-e2e', 'x-request-id': 'req-edge-mw' },
    });
    expect(response.status).toBe(200);
    const id = /ajs_anonymous_id=%22([0-9a-f-]{36})%22/.exec(
      response.headers.get('set-cookie') ?? '',
    )?.[1];
    expect(id).toBeDefined();
    const page = await waitForEvent(
      collector,
      (e) => e.type === 'page' && e.anonymousId === id,
      'the edge page view',
    );
    expect(page.message).toMatchObject({
      name: 'Edge Home',
      properties: { path: '/' },
      context: { userAgent: 'edge-e2e', requestId: 'req-edge-mw', page: { path: '/' } },
    });
  });
});
