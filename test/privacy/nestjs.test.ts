import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startShop, type Shop } from '../express/helpers.js';
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

const APP = fileURLToPath(new URL('./fixtures/nest-app.mjs', import.meta.url));

let collector: RunningCollector;
let app: Shop;

beforeAll(async () => {
  collector = await startCollector({ port: 0, memory: true, quiet: true });
  // The Express harness starts any script that prints "listening on <url>".
  app = await startShop(collector.url, {}, APP);
});

afterAll(async () => {
  await app?.stop();
  await collector?.close();
});

describe('privacy rules in a NestJS app', () => {
  it('stores the anonymised ip and redacted parameters, and no secret reaches the collector or the logs', async () => {
    const request = privacyRequest('/reset');
    const reply = await send(`${app.url}${request.path}`, { headers: request.headers });
    expect(reply.status).toBe(200);
    const [tracked] = await collector.waitForEvents(1, { timeout: 10_000 });
    expect(tracked!.event).toBe('Password Reset Viewed');
    expect(tracked!.anonymousId).toBe(ANONYMOUS_ID);
    expectScrubbedContext(tracked!.message.context, '/reset');

    expectNoSecrets(await storedText(collector.url), 'what the collector stored');
    expectNoSecrets(JSON.stringify(collector.events()), 'the collector’s rows');
    // The app logs every step (debug: true); wait for the line that follows delivery.
    await waitForOutput(app.output, /delivered 1 message/);
    expectNoSecrets(app.output(), 'the app’s logs');
  });
});
