import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  anonymousCookie,
  EXPRESS4_SERVER,
  send,
  startCollector,
  startShop,
  type RunningCollector,
  type Shop,
} from './helpers.js';

// Express 4, loading the built package through require(): context, lazy user, route templates,
// error handler and a graceful SIGTERM, in a real process against the collector.
let collector: RunningCollector;
let app: Shop;

beforeAll(async () => {
  collector = await startCollector({ port: 0, memory: true });
  app = await startShop(collector.url, {}, EXPRESS4_SERVER);
});

afterAll(async () => {
  await app?.stop();
  await collector?.close();
});

it('works on Express 4 through CommonJS, end to end, and shuts down cleanly on SIGTERM', async () => {
  const anonymousId = randomUUID();
  const cookie = anonymousCookie(anonymousId);
  const forged = { cookie, 'x-forwarded-for': '198.51.100.7', 'user-agent': 'e2e-express4' };
  expect(
    (await send(`${app.url}/notes/n-1`, { headers: { ...forged, authorization: 'Bearer user-4' } }))
      .status,
  ).toBe(200);
  expect((await send(`${app.url}/health`, { headers: { cookie } })).status).toBe(200);
  expect((await send(`${app.url}/fail/now`, { headers: { cookie } })).status).toBe(500);

  app.child.kill('SIGTERM');
  expect(await app.exited).toEqual({ code: 0, signal: null });

  // Everything was delivered before the process exited: no waiting needed.
  const events = collector.events({ anonymousId });
  const opened = events.find((e) => e.event === 'Note Opened');
  expect(opened?.userId).toBe('user-4');
  expect(opened?.message.context).toMatchObject({
    ip: '127.0.0.1',
    userAgent: 'e2e-express4',
    page: { path: '/notes/n-1' },
  });
  expect(
    events.filter((e) => e.event === 'Request Completed').map((e) => e.message.properties),
  ).toEqual([
    expect.objectContaining({ method: 'GET', route: '/notes/:noteId', status: 200 }),
    expect.objectContaining({ method: 'GET', route: '/fail/:why', status: 500 }),
  ]);
  expect(events.find((e) => e.event === 'Server Error')?.message.properties).toEqual({
    name: 'RangeError',
    message: 'fixture failure',
    status: 500,
    method: 'GET',
    route: '/fail/:why',
  });
});
