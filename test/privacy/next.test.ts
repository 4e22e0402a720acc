import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../express/helpers.js';
import { runNext, startNext, stop, type RunningNext } from '../next/helpers.js';
import {
  ANONYMOUS_ID,
  expectNoSecretsAnywhere,
  expectScrubbedContext,
  privacyRequest,
  startCollector,
  type RunningCollector,
} from './helpers.js';

const FIXTURE = new URL('./fixtures/next-app/', import.meta.url).pathname;

let collector: RunningCollector;
let server: RunningNext | undefined;
let baseUrl: string;

beforeAll(async () => {
  collector = await startCollector({ port: 0, memory: true, quiet: true });
  const env = { TRIBUTARY_WRITE_KEY: 'privacy-next-key', TRIBUTARY_HOST: collector.url };
  const build = await runNext(['build'], env, FIXTURE).done;
  if (build.code !== 0) throw new Error(`next build failed:\n${build.output}`);
  server = await startNext(FIXTURE, env, '/favicon.ico', { anyAnswer: true });
  baseUrl = server.url;
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

    await expectNoSecretsAnywhere(collector, server!.output, /delivered \d+ message/);
  });
});
