import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../express/helpers.js';
import { freePort, runNext, stop, until } from '../next/helpers.js';
import {
  ANONYMOUS_ID,
  expectNoSecrets,
  expectScrubbedContext,
  privacyRequest,
  startCollector,
  storedText,
  waitForOutput,
  type RunningCollector,
} from './helpers.js';

const FIXTURE = new URL('./fixtures/next-app/', import.meta.url).pathname;

let collector: RunningCollector;
let server: { child: ChildProcess; done: Promise<unknown>; output: () => string } | undefined;
let baseUrl: string;

beforeAll(async () => {
  collector = await startCollector({ port: 0, memory: true, quiet: true });
  const env = { TRIBUTARY_WRITE_KEY: 'privacy-next-key', TRIBUTARY_HOST: collector.url };
  const build = await runNext(['build'], env, FIXTURE).done;
  if (build.code !== 0) throw new Error(`next build failed:\n${build.output}`);
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  server = runNext(['start', '-p', String(port), '-H', '127.0.0.1'], env, FIXTURE);
  const started = server;
  await until(
    async () => {
      if (started.child.exitCode !== null)
        throw new Error(`next start exited:\n${started.output()}`);
      return fetch(`${baseUrl}/favicon.ico`).then(
        () => true,
        () => false,
      );
    },
    60_000,
    'next start to answer',
  );
});

afterAll(async () => {
  if (server !== undefined) await stop(server.child, server.done);
  await collector?.close();
});

describe('privacy rules in a Next.js app', () => {
  it('stores the anonymised ip and redacted parameters from a route handler and a proxy page view, and no secret reaches the collector or the logs', async () => {
    const api = privacyRequest('/api/reset');
    expect((await send(`${baseUrl}${api.path}`, { headers: api.headers })).status).toBe(200);
    const page = privacyRequest('/welcome');
    expect((await send(`${baseUrl}${page.path}`, { headers: page.headers })).status).toBe(200);

    const events = await collector.waitForEvents(2, { timeout: 15_000 });
    const tracked = events.find((e) => e.event === 'Password Reset Viewed')!;
    expect(tracked.anonymousId).toBe(ANONYMOUS_ID);
    expectScrubbedContext(tracked.message.context, '/api/reset');
    const view = events.find((e) => e.type === 'page')!;
    expectScrubbedContext(view.message.context, '/welcome');
    expect(view.message.properties).toMatchObject({
      search: '?token=[REDACTED]&utm_source=x',
      referrer: 'https://idp.example/callback?code=[REDACTED]&state=ok',
    });

    expectNoSecrets(await storedText(collector.url), 'what the collector stored');
    expectNoSecrets(JSON.stringify(collector.events()), 'the collector’s rows');
    await waitForOutput(server!.output, /delivered \d+ message/);
    expectNoSecrets(server!.output(), 'the app’s logs');
  });
});
