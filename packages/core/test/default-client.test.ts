import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalyticsError } from '../src/index.js';
import { createDefaultClient, VERSION } from '../src/index.js';
import { startIngestServer, type IngestServer } from './helpers/ingest-server.js';

let server: IngestServer;
beforeAll(async () => {
  server = await startIngestServer();
});
afterAll(() => server.close());

const dist = (file: string) =>
  JSON.stringify(fileURLToPath(new URL(`../dist/${file}`, import.meta.url)));
// Asynchronous on purpose: the ingest server lives in this process and must keep answering.
const run = async (script: string) =>
  (
    await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 20_000,
    })
  ).stdout;

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe('the module-wide default client', () => {
  it('is configured through settable properties and created lazily on the first call', async () => {
    const analytics = createDefaultClient();
    analytics.writeKey = 'default-key';
    analytics.host = server.url;
    expect(analytics.track('u', 'Configured')).toBe(true);
    await analytics.flush();
    expect(server.requests.at(-1)!.body.writeKey).toBe('default-key');
    await analytics.close();
  });

  it('applies a setting changed after the first call: the old client delivers, the next call uses the new setting', async () => {
    const analytics = createDefaultClient();
    analytics.writeKey = 'first-key';
    analytics.host = server.url;
    analytics.track('u', 'With first key');
    analytics.writeKey = 'second-key';
    analytics.track('u', 'With second key');
    expect(await analytics.flush()).toEqual({ delivered: 2, failed: 0, pending: 0 });
    const byKey = server.requests.slice(-2).map((r) => [r.body.writeKey, r.body.batch[0]!.event]);
    expect(byKey).toEqual(
      expect.arrayContaining([
        ['first-key', 'With first key'],
        ['second-key', 'With second key'],
      ]),
    );
    await analytics.close();
  });

  it('returns false and reports through onError when no write key is set, instead of throwing', () => {
    const analytics = createDefaultClient();
    const errors: AnalyticsError[] = [];
    analytics.logger = quiet;
    analytics.onError = (error) => errors.push(error);
    expect(analytics.track('u', 'No key')).toBe(false);
    expect(errors[0]!.code).toBe('INVALID_OPTIONS');
    expect(errors[0]!.message).toContain('"writeKey" must be a non-empty string');
  });

  it('maps the OAuth settings onto the client', () => {
    const analytics = createDefaultClient();
    analytics.writeKey = 'k';
    analytics.logger = quiet;
    const errors: AnalyticsError[] = [];
    analytics.onError = (error) => errors.push(error);
    analytics.oauthClientId = 'client';
    analytics.oauthKeyId = 'kid';
    // No key: the options are refused with a message naming the field.
    expect(analytics.track('u', 'E')).toBe(false);
    expect(errors[0]!.message).toContain('"oauth.clientKey"');
  });

  it('offers shutdown() like Python: flush, then close', async () => {
    const analytics = createDefaultClient();
    analytics.writeKey = 'k';
    analytics.host = server.url;
    analytics.track('u', 'Before shutdown');
    expect(await analytics.shutdown()).toEqual({ delivered: 1, failed: 0, pending: 0 });
  });

  it('covers a client retired by a setting change in flush(): nothing it accepted is left out', async () => {
    const analytics = createDefaultClient();
    analytics.writeKey = 'k';
    analytics.host = server.url;
    analytics.logger = quiet;
    analytics.track('u', 'Before the change');
    analytics.debug = true;
    expect(await analytics.flush()).toEqual({ delivered: 1, failed: 0, pending: 0 });
    analytics.track('u', 'After the change');
    analytics.flushAt = 50;
    expect(await analytics.close()).toEqual({ delivered: 1, failed: 0, pending: 0 });
  });

  it('delivers, in a process that changes a setting and calls process.exit after flush(), what the retired client held', async () => {
    const before = server.messages().length;
    const out = await run(`
      import analytics from ${dist('index.mjs')};
      analytics.writeKey = 'k';
      analytics.host = ${JSON.stringify(server.url)};
      analytics.flushInterval = 60000;
      analytics.track('u', 'Retired then exit');
      analytics.debug = false === analytics.debug;
      analytics.logger = { debug() {}, info() {}, warn() {}, error: console.error };
      console.log(JSON.stringify(await analytics.flush()));
      process.exit(0);
    `);
    expect(JSON.parse(out)).toEqual({ delivered: 1, failed: 0, pending: 0 });
    expect(
      server
        .messages()
        .slice(before)
        .map((m) => m.event),
    ).toEqual(['Retired then exit']);
  });

  it('delivers what a retired client held when the script just ends', async () => {
    const before = server.messages().length;
    await run(`
      import analytics from ${dist('index.mjs')};
      analytics.writeKey = 'k';
      analytics.host = ${JSON.stringify(server.url)};
      analytics.flushInterval = 60000;
      analytics.track('u', 'Retired then natural end');
      analytics.flushAt = 20;
    `);
    expect(
      server
        .messages()
        .slice(before)
        .map((m) => m.event),
    ).toEqual(['Retired then natural end']);
  });

  it('is one client per process across the ESM and CommonJS builds, and require() gives the client itself', async () => {
    const before = server.messages().length;
    const out = await run(`
      import { createRequire } from 'node:module';
      import esm from ${dist('index.mjs')};
      const analytics = createRequire(import.meta.url)(${dist('index.cjs')});
      analytics.writeKey = 'k';
      analytics.host = ${JSON.stringify(server.url)};
      analytics.track('u', 'From CommonJS');
      esm.track('u', 'From ESM');
      let refused;
      try { analytics.write_key = 'x'; } catch (error) { refused = error.code; }
      console.log(JSON.stringify({
        shared: esm.writeKey === 'k',
        named: typeof analytics.Analytics === 'function' && analytics.default.track === esm.track,
        refused,
        flushed: await analytics.flush(),
      }));
    `);
    expect(JSON.parse(out)).toEqual({
      shared: true,
      named: true,
      refused: 'INVALID_OPTIONS',
      flushed: { delivered: 2, failed: 0, pending: 0 },
    });
    expect(
      server
        .messages()
        .slice(before)
        .map((m) => m.event),
    ).toEqual(['From CommonJS', 'From ESM']);
  });

  it('lets a test replace a method with a spy, while unknown names stay refused', () => {
    const analytics = createDefaultClient();
    const calls: unknown[][] = [];
    analytics.track = (...args: unknown[]) => calls.push(args) > 0;
    expect(analytics.track('u', 'Spied')).toBe(true);
    expect(calls).toEqual([['u', 'Spied']]);
  });

  it('refuses a write to an unknown setting with INVALID_OPTIONS instead of ignoring it', () => {
    const analytics = createDefaultClient() as unknown as Record<string, unknown>;
    expect(() => (analytics.write_key = 'k')).toThrow(
      /"write_key" is not a setting of the default client; did you mean writeKey\?/,
    );
  });

  it('exposes VERSION and closeAndFlush() like analytics-python and analytics-node', async () => {
    const analytics = createDefaultClient();
    expect(analytics.VERSION).toBe(VERSION);
    analytics.writeKey = 'k';
    analytics.host = server.url;
    analytics.track('u', 'Before closeAndFlush');
    expect(await analytics.closeAndFlush()).toEqual({ delivered: 1, failed: 0, pending: 0 });
  });

  it('takes the privacy and beforeSend settings', async () => {
    const analytics = createDefaultClient();
    analytics.writeKey = 'default-key';
    analytics.host = server.url;
    analytics.privacy = { ip: 'omit' };
    analytics.beforeSend = (message) => (message.event === 'Internal' ? null : message);
    expect(analytics.track('u', 'Internal')).toBe(false);
    expect(
      analytics.track({
        userId: 'u',
        event: 'Public',
        context: { ip: '203.0.113.9', page: { search: '?token=abc' } },
      }),
    ).toBe(true);
    await analytics.flush();
    const sent = server.requests.at(-1)!.body.batch[0]!;
    expect(sent.event).toBe('Public');
    expect(sent.context).toMatchObject({ page: { search: '?token=[REDACTED]' } });
    expect(sent.context).not.toHaveProperty('ip');
    expect(analytics.stats().rejected).toEqual({ FILTERED: 1 });
    await analytics.close();
  });
});
