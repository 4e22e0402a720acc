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
  fileURLToPath(new URL('./fixtures/nest-app.mjs', import.meta.url)),
);

describe('privacy rules in a NestJS app', () => {
  it('stores the anonymised ip and redacted parameters, and no secret reaches the collector or the logs', async () => {
    const { collector, app } = running;
    const request = privacyRequest('/reset');
    const reply = await send(`${app.url}${request.path}`, { headers: request.headers });
    expect(reply.status).toBe(200);
    const [tracked] = await collector.waitForEvents(1, { timeout: 10_000 });
    expect(tracked!.event).toBe('Password Reset Viewed');
    expect(tracked!.anonymousId).toBe(ANONYMOUS_ID);
    expectScrubbedContext(tracked!.message.context, '/reset');

    // The app logs every step (debug: true).
    await expectNoSecretsAnywhere(collector, app.output, /delivered 1 message/);
  });
});
