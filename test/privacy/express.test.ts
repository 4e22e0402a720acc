import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { send } from '../express/helpers.js';
import {
  ANONYMOUS_ID,
  expectNoSecretsAnywhere,
  expectScrubbedContext,
  privacyRequest,
  useAppAndCollector,
} from './helpers.js';

// The Express harness starts any script that prints "listening on <url>".
const running = useAppAndCollector(
  fileURLToPath(new URL('./fixtures/express-app.mjs', import.meta.url)),
);

describe('privacy rules in an Express app', () => {
  it('stores the anonymised ip and redacted parameters, and no secret reaches the collector or the logs', async () => {
    const { collector, app } = running;
    const request = privacyRequest('/reset');
    const reply = await send(`${app.url}${request.path}`, { headers: request.headers });
    expect(reply.status).toBe(200);
    const events = await collector.waitForEvents(3, { timeout: 10_000 });
    const tracked = events.find((e) => e.event === 'Password Reset Viewed')!;
    expect(tracked.anonymousId).toBe(ANONYMOUS_ID);
    expectScrubbedContext(tracked.message.context, '/reset');
    const completed = events.find((e) => e.event === 'Request Completed')!;
    expectScrubbedContext(completed.message.context, '/reset');
    const page = events.find((e) => e.type === 'page')!;
    expect(page.message.properties).toMatchObject({
      url: expect.stringMatching(/\/reset\?token=\[REDACTED\]&utm_source=x$/),
      referrer: 'https://idp.example/callback?code=[REDACTED]&state=ok',
    });

    // The app logs every step (debug: true).
    await expectNoSecretsAnywhere(collector, app.output, /delivered 3 message/);
  });
});
