// One scenario list, driven through every adapter: the same request must give the same stored
// event. A difference between adapters fails here unless the adapter's README says why.
import { startCollector, type RunningCollector, type StoredEvent } from '@tributary/collector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildNextApp,
  get,
  nextApp,
  scriptApp,
  type AdapterApp,
  type RunningApp,
} from './harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const adapters: AdapterApp[] = [
  scriptApp('Express 5', 'express-app.mjs', { EXPRESS: '5' }),
  scriptApp('Express 4', 'express-app.mjs', { EXPRESS: '4' }),
  scriptApp('NestJS on Express', 'nest-app.mjs', { PLATFORM: 'express' }),
  scriptApp('NestJS on Fastify', 'nest-app.mjs', { PLATFORM: 'fastify' }),
  nextApp('Next.js (next start, Pages API routes)'),
  nextApp('Next.js (next start, App Router route handlers)', { basePath: '/routes/conformance' }),
];

let collector: RunningCollector;

beforeAll(async () => {
  collector = await startCollector({ port: 0, quiet: true });
  await buildNextApp();
});

afterAll(() => collector?.close());

async function stored(what: string, match: (event: StoredEvent) => boolean): Promise<StoredEvent> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = collector.events().find(match);
    if (found !== undefined) return found;
    if (Date.now() > deadline) {
      const seen = collector.events().map((e) => `${e.type}:${e.event ?? ''}`);
      throw new Error(`no stored event for ${what} within 10 s; stored: ${seen.join(', ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const scenarioOf = (event: StoredEvent) =>
  (event.message.properties as { scenario?: unknown } | undefined)?.scenario;

/** The message as the adapter shaped it: what varies per call (ids, times, library) left out. */
function shape(event: StoredEvent): Record<string, unknown> {
  const { context, type, event: name, properties, userId, anonymousId, previousId } = event.message;
  // NestJS adds `context.route` (its README says so); every other field must agree.
  const { library: _library, route: _route, ...rest } = context as Record<string, unknown>;
  return JSON.parse(
    JSON.stringify({
      type,
      event: name,
      properties,
      userId,
      anonymousId,
      previousId,
      context: rest,
    }),
  ) as Record<string, unknown>;
}

describe.each(adapters)('$name', (adapter) => {
  let app: RunningApp;
  let trusted: RunningApp;
  const key = adapter.name.replace(/\W+/g, '-').toLowerCase();
  const base = adapter.basePath ?? '/api/conformance';
  // The test client connects from 127.0.0.1; every adapter must see that socket address.
  const peerIp = '127.0.0.1';
  const env = () => ({ TRIBUTARY_HOST: collector.url, TRIBUTARY_WRITE_KEY: 'conformance' });

  beforeAll(async () => {
    [app, trusted] = await Promise.all([
      adapter.start(env()),
      adapter.start({ ...env(), TRUST_LOCAL_PROXY: '1' }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([app?.stop(), trusted?.stop()]);
  });

  it('fills context from the request (dual-stack ip normalised) and never copies cookies or authorization', async () => {
    const s = `${key}-context`;
    const reply = await get(`${app.url}${base}/track?s=${s}`, {
      'user-agent': 'Conformance/1.0',
      'accept-language': 'fr-CH, fr;q=0.9, en;q=0.8',
      referer: 'https://example.com/from',
      'x-request-id': `req-${s}`,
      cookie: `session=secret-cookie; ajs_anonymous_id=%22anon-${s}%22`,
      authorization: 'Bearer secret-token',
    });
    expect(reply.status).toBe(200);
    expect(reply.headers['set-cookie']).toBeUndefined();
    const event = await stored(s, (e) => scenarioOf(e) === s);
    expect(shape(event)).toEqual({
      type: 'track',
      event: 'Conformance Tracked',
      properties: { scenario: s },
      anonymousId: `anon-${s}`,
      context: {
        ip: peerIp,
        userAgent: 'Conformance/1.0',
        locale: 'fr-CH',
        page: {
          url: `${app.url}${base}/track?s=${s}`,
          path: `${base}/track`,
          search: `?s=${s}`,
          referrer: 'https://example.com/from',
        },
        requestId: `req-${s}`,
      },
    });
    expect(JSON.stringify(event.message)).not.toMatch(/secret-cookie|secret-token|session=/);
  });

  it('ignores a forged X-Forwarded-For when no proxy is trusted', async () => {
    const s = `${key}-forged`;
    await get(`${app.url}${base}/track?s=${s}`, {
      'x-forwarded-for': '6.6.6.6',
      cookie: `ajs_anonymous_id=%22anon-${s}%22`,
    });
    const event = await stored(s, (e) => scenarioOf(e) === s);
    // Never the forged address: the socket's.
    expect((event.message.context as { ip?: string }).ip).toBe(peerIp);
  });

  it('takes the address one trusted proxy reports, never the client-supplied left-most entry', async () => {
    const s = `${key}-trusted`;
    await get(`${trusted.url}${base}/track?s=${s}`, {
      'x-forwarded-for': '6.6.6.6, 203.0.113.7',
      cookie: `ajs_anonymous_id=%22anon-${s}%22`,
    });
    const event = await stored(s, (e) => scenarioOf(e) === s);
    expect((event.message.context as { ip?: string }).ip).toBe('203.0.113.7');
  });

  it('mints a request id when the request has none', async () => {
    const s = `${key}-request-id`;
    await get(`${app.url}${base}/track?s=${s}`, {
      cookie: `ajs_anonymous_id=%22anon-${s}%22`,
    });
    const event = await stored(s, (e) => scenarioOf(e) === s);
    expect((event.message.context as { requestId?: string }).requestId).toMatch(UUID);
  });

  it('gives a visitor without an id a new one and sets it in the analytics.js cookie', async () => {
    const s = `${key}-minted`;
    const reply = await get(`${app.url}${base}/track?s=${s}`);
    const event = await stored(s, (e) => scenarioOf(e) === s);
    expect(event.anonymousId).toMatch(UUID);
    expect(reply.headers['set-cookie']).toEqual([
      `ajs_anonymous_id=%22${event.anonymousId}%22; Path=/; Max-Age=31536000; SameSite=Lax`,
    ]);
  });

  it('takes the user from the auth layer', async () => {
    const s = `${key}-user`;
    await get(`${app.url}${base}/track?s=${s}`, {
      'x-test-user': `user-${s}`,
      cookie: `ajs_anonymous_id=%22anon-${s}%22`,
    });
    const event = await stored(s, (e) => scenarioOf(e) === s);
    expect([event.userId, event.anonymousId]).toEqual([`user-${s}`, `anon-${s}`]);
  });

  it('records an error event for a thrown error', async () => {
    const s = `${key}-error`;
    const reply = await get(`${app.url}${base}/boom`, {
      'user-agent': 'Conformance/1.0',
      cookie: `ajs_anonymous_id=%22anon-${s}%22`,
    });
    expect(reply.status).toBe(500);
    const event = await stored(
      s,
      (e) => e.event === 'Server Error' && e.anonymousId === `anon-${s}`,
    );
    expect(event.message.properties).toEqual({
      name: 'Error',
      message: 'conformance boom',
      status: 500,
      method: 'GET',
      route: `${base}/boom`,
    });
    expect(event.message.context).toMatchObject({
      userAgent: 'Conformance/1.0',
      page: { path: `${base}/boom` },
    });
    expect((event.message.context as { ip?: string }).ip).toBe(peerIp);
  });

  it("defaults alias's previousId to the request's anonymous id", async () => {
    const s = `${key}-alias`;
    await get(`${app.url}${base}/alias`, { cookie: `ajs_anonymous_id=%22anon-${s}%22` });
    const event = await stored(
      s,
      (e) => e.type === 'alias' && e.message.previousId === `anon-${s}`,
    );
    expect(event.userId).toBe('u-alias');
  });
});
