import type { AddressInfo } from 'node:net';
import { Analytics } from '@tributary/core';
import { createTestAnalytics, type TestAnalytics } from '@tributary/core/testing';
import express from 'express';
import express4 from 'express4';
import { afterEach, describe, expect, it } from 'vitest';
import { send, serve, until, type Served } from '../test/serve.js';
import { analyticsMiddleware, type AdapterOptions } from './index.js';

type Express = typeof express;

// A service that knows nothing about the request: it calls the client directly.
async function chargeCard(client: Analytics, total: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1));
  client.track({ event: 'Card Charged', properties: { total } });
}

describe.each([
  ['Express 5', express],
  ['Express 4', express4],
])('analyticsMiddleware on %s', (_name, createExpress) => {
  let served: Served | undefined;
  afterEach(() => served?.close());

  async function start(
    options: AdapterOptions = {},
    setup?: (app: ReturnType<Express>, client: TestAnalytics) => void,
  ) {
    const client = createTestAnalytics();
    const app = createExpress();
    setup?.(app, client);
    app.use(analyticsMiddleware({ client, ...options }));
    app.use((req, _res, next) => {
      // Auth mounted after the analytics middleware: the user must still count.
      const token = req.headers.authorization?.replace(/^Bearer /, '');
      if (token !== undefined) (req as { user?: { id: string } }).user = { id: token };
      next();
    });
    app.get('/shop/:item', (req, res) => {
      const ok = req.analytics.track({
        event: 'Item Viewed',
        properties: { item: req.params.item },
      });
      res.json({ ok });
    });
    app.post('/checkout', async (req, res) => {
      await chargeCard(client, 42);
      res.json({ ok: true });
    });
    served = await serve(app);
    return { client, url: served.url };
  }

  // The middleware first, then the routes under test.
  async function startWith(routes: (app: ReturnType<Express>) => void) {
    const client = createTestAnalytics();
    const app = createExpress();
    app.use(analyticsMiddleware({ client }));
    routes(app);
    served = await serve(app);
    return { client, url: served.url };
  }

  it('fills context from the request and never copies cookies or authorization', async () => {
    const { client, url } = await start();
    await send(`${url}/shop/hat?color=red`, {
      headers: {
        'user-agent': 'Mozilla/5.0 (Test)',
        'accept-language': 'fr-CH, fr;q=0.9, en;q=0.8',
        referer: 'https://example.com/home',
        'x-request-id': 'req-123',
        cookie: 'ajs_anonymous_id=%22anon-1%22; session=secret',
        authorization: 'Bearer user-7',
      },
    });
    const [message] = client.tracked('Item Viewed');
    expect(message?.userId).toBe('user-7');
    expect(message?.anonymousId).toBe('anon-1');
    expect(message?.context).toMatchObject({
      ip: '127.0.0.1',
      userAgent: 'Mozilla/5.0 (Test)',
      locale: 'fr-CH',
      requestId: 'req-123',
      page: {
        url: `${url}/shop/hat?color=red`,
        path: '/shop/hat',
        search: '?color=red',
        referrer: 'https://example.com/home',
      },
    });
    expect(JSON.stringify(message)).not.toMatch(/secret|Bearer/);
  });

  it('leaves out each context fact that is turned off', async () => {
    const { client, url } = await start({ context: { ip: false, page: false, requestId: false } });
    await send(`${url}/shop/hat`, {
      headers: { 'user-agent': 'UA', 'x-request-id': 'r1', cookie: 'ajs_anonymous_id=a' },
    });
    const context = client.tracked('Item Viewed')[0]?.context ?? {};
    expect(context.userAgent).toBe('UA');
    expect(context).not.toHaveProperty('ip');
    expect(context).not.toHaveProperty('page');
    expect(context).not.toHaveProperty('requestId');
  });

  it('ignores a forged X-Forwarded-For unless the app trusts the proxy', async () => {
    const headers = { 'x-forwarded-for': '203.0.113.9', cookie: 'ajs_anonymous_id=a' };
    const untrusted = await start();
    await send(`${untrusted.url}/shop/hat`, { headers });
    expect(untrusted.client.tracked()[0]?.context.ip).toBe('127.0.0.1');
    await served?.close();

    const trusted = await start({}, (app) => app.set('trust proxy', 'loopback'));
    await send(`${trusted.url}/shop/hat`, { headers });
    expect(trusted.client.tracked()[0]?.context.ip).toBe('203.0.113.9');
  });

  it('sends an IPv4 client as a plain IPv4 address when the server listens on ::', async () => {
    const client = createTestAnalytics();
    const app = createExpress();
    app.use(analyticsMiddleware({ client }));
    app.get(
      '/',
      (req, res) => void res.json(req.analytics.track({ anonymousId: 'a', event: 'E' })),
    );
    const server = app.listen(0, '::');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    await send(`http://127.0.0.1:${port}/`);
    server.close();
    expect(client.tracked('E')[0]?.context.ip).toBe('127.0.0.1');
  });

  it('keeps the ip for calls made after the connection has closed', async () => {
    const client = createTestAnalytics();
    const app = createExpress();
    app.use(analyticsMiddleware({ client }));
    app.get('/later', (req, res) => {
      req.socket.once('close', () => req.analytics.track({ anonymousId: 'a', event: 'Later' }));
      res.set('connection', 'close').send('ok');
    });
    served = await serve(app);
    await send(`${served.url}/later`);
    await until(() => client.tracked('Later').length === 1);
    expect(client.tracked('Later')[0]?.context.ip).toBe('127.0.0.1');
  });

  it('takes the anonymous id from a configured header before the cookie', async () => {
    const { client, url } = await start({ anonymousId: { header: 'X-Anonymous-Id' } });
    await send(`${url}/shop/hat`, {
      headers: { 'x-anonymous-id': 'from-header', cookie: 'ajs_anonymous_id=%22from-cookie%22' },
    });
    await send(`${url}/shop/hat`, { headers: { cookie: 'ajs_anonymous_id=%22from-cookie%22' } });
    expect(client.tracked().map((m) => m.anonymousId)).toEqual(['from-header', 'from-cookie']);
  });

  it('gives calls made anywhere during the request, across awaits, the request scope', async () => {
    const { client, url } = await start();
    await send(`${url}/checkout`, {
      method: 'POST',
      headers: { authorization: 'Bearer user-9', 'user-agent': 'UA' },
    });
    const [message] = client.tracked('Card Charged');
    expect(message?.userId).toBe('user-9');
    expect(message?.context.userAgent).toBe('UA');
  });

  it('uses a custom resolveUser lazily and treats a throwing one as anonymous', async () => {
    let calls = 0;
    const { client, url } = await start({
      resolveUser: (req) => {
        calls++;
        if (req.headers['x-fail'] !== undefined) throw new Error('boom');
        return (req as { user?: { id: string } }).user?.id.toUpperCase();
      },
    });
    await send(`${url}/shop/hat`, { headers: { authorization: 'Bearer u1' } });
    await send(`${url}/shop/hat`, { headers: { 'x-fail': '1', cookie: 'ajs_anonymous_id=a' } });
    expect(calls).toBe(2);
    expect(client.tracked().map((m) => [m.userId, m.anonymousId])).toEqual([
      // A call with a user needs no anonymous id: none is minted for a visitor without one.
      ['U1', undefined],
      [undefined, 'a'],
    ]);
  });

  it('creates its own client from client options and exposes it', async () => {
    const middleware = analyticsMiddleware({ send: false, trackRequests: true });
    expect(middleware.client).toBeInstanceOf(Analytics);
    await middleware.client.close();
  });

  it('gives a visitor without an id a new one, stored in the analytics.js cookie', async () => {
    const { client, url } = await start();
    const reply = await send(`${url}/shop/hat`);
    const id = client.tracked()[0]?.anonymousId;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(reply.headers['set-cookie']).toEqual([
      `ajs_anonymous_id=%22${id}%22; Path=/; Max-Age=31536000; SameSite=Lax`,
    ]);
    const again = await send(`${url}/shop/hat`, {
      headers: { cookie: `ajs_anonymous_id=%22${id}%22` },
    });
    expect(again.headers['set-cookie']).toBeUndefined();
    expect(client.tracked()[1]?.anonymousId).toBe(id);
  });

  it('sets no cookie and mints no id on a response that tracks nothing', async () => {
    const { client, url } = await startWith((app) => {
      app.get('/quiet', (req, res) => void res.send(typeof req.analytics.track));
    });
    const reply = await send(`${url}/quiet`);
    expect(reply.body).toBe('function');
    expect(reply.headers['set-cookie']).toBeUndefined();
    expect(client.messages).toEqual([]);
  });

  it('mints at the first call that needs the id and keeps it for the whole request', async () => {
    const { client, url } = await startWith((app) => {
      app.get('/twice', (req, res) => {
        req.analytics.track({ userId: 'u1', event: 'Signed In' });
        req.analytics.track({ event: 'First' });
        req.analytics.track({ event: 'Second' });
        res.json({ anonymousId: req.analytics.anonymousId });
      });
    });
    const reply = await send(`${url}/twice`);
    const [signedIn, first, second] = client.tracked();
    expect(signedIn?.anonymousId).toBeUndefined();
    expect(first?.anonymousId).toMatch(/^[0-9a-f-]{36}$/);
    expect([second?.anonymousId, JSON.parse(reply.body).anonymousId]).toEqual([
      first?.anonymousId,
      first?.anonymousId,
    ]);
    expect(reply.headers['set-cookie']).toEqual([
      `ajs_anonymous_id=%22${first?.anonymousId}%22; Path=/; Max-Age=31536000; SameSite=Lax`,
    ]);
  });

  it('still gives a call after the response an id, without a cookie the response can no longer take', async () => {
    const { client, url } = await startWith((app) => {
      app.get('/after', (req, res) => {
        res.send('ok');
        req.analytics.track({ event: 'After Response' });
      });
    });
    const reply = await send(`${url}/after`);
    await until(() => client.tracked('After Response').length === 1);
    expect(client.tracked('After Response')[0]?.anonymousId).toMatch(/^[0-9a-f-]{36}$/);
    expect(reply.headers['set-cookie']).toBeUndefined();
  });

  it('with asyncContext: false, fills req.analytics calls only, not module-level ones', async () => {
    const { client, url } = await start({ asyncContext: false });
    await send(`${url}/shop/hat`, { headers: { cookie: 'ajs_anonymous_id=a1' } });
    await send(`${url}/checkout`, { method: 'POST', headers: { cookie: 'ajs_anonymous_id=a1' } });
    expect(client.tracked('Item Viewed')[0]?.anonymousId).toBe('a1');
    // The service's call carries no request: without an id of its own it is rejected.
    expect(client.tracked('Card Charged')).toEqual([]);
    expect(client.errors[0]?.code).toBe('VALIDATION_FAILED');
  });

  it('rejects (returns false) rather than throws when a request has no identity', async () => {
    const { client, url } = await start({ anonymousId: { mint: false } });
    const reply = await send(`${url}/shop/hat`);
    expect(JSON.parse(reply.body)).toEqual({ ok: false });
    expect(client.errors[0]?.code).toBe('VALIDATION_FAILED');
  });
});
