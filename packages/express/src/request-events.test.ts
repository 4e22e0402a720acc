import { createTestAnalytics } from '@tributary/core/testing';
import express from 'express';
import express4 from 'express4';
import { afterEach, describe, expect, it } from 'vitest';
import { send, serve, until, type Served } from '../test/serve.js';
import { analyticsMiddleware, type TrackRequestsOptions } from './index.js';

const anon = { cookie: 'ajs_anonymous_id=a1' };

describe.each([
  ['Express 5', express],
  ['Express 4', express4],
])('trackRequests on %s', (_name, createExpress) => {
  let served: Served | undefined;
  afterEach(() => served?.close());

  async function start(trackRequests: boolean | TrackRequestsOptions = true, mint = true) {
    const client = createTestAnalytics();
    const app = createExpress();
    app.use(
      analyticsMiddleware({
        client,
        trackRequests,
        ...(mint ? {} : { anonymousId: { mint: false } }),
      }),
    );
    const api = createExpress.Router();
    api.get('/products/:id', (_req, res) => void res.status(200).send('ok'));
    api.post('/orders', (_req, res) => void res.status(201).send('created'));
    api.get('/', (_req, res) => void res.send('index'));
    app.use('/api', api);
    app.get('/health', (_req, res) => void res.send('ok'));
    served = await serve(app);
    return { client, url: served.url };
  }

  it('records method, route template, status and duration once per completed request', async () => {
    const { client, url } = await start();
    await send(`${url}/api/products/42?x=1`, { headers: anon });
    await send(`${url}/api/orders`, { method: 'POST', headers: anon });
    await send(`${url}/api`, { headers: anon });
    await send(`${url}/missing`, { headers: anon });
    await until(() => client.tracked('Request Completed').length === 4);
    const properties = client.tracked('Request Completed').map((m) => m.properties ?? {});
    expect(properties.map(({ method, route, status }) => [method, route, status])).toEqual([
      ['GET', '/api/products/:id', 200],
      ['POST', '/api/orders', 201],
      ['GET', '/api', 200],
      ['GET', null, 404],
    ]);
    for (const { duration } of properties) expect(duration).toBeGreaterThanOrEqual(0);
  });

  it('applies include and exclude rules and a custom event name', async () => {
    const { client, url } = await start({
      event: 'API Call',
      include: [/^\/api\//, '/health'],
      exclude: ['/api/orders'],
    });
    for (const path of ['/api/products/1', '/api/orders', '/health', '/missing']) {
      await send(`${url}${path}`, {
        method: path === '/api/orders' ? 'POST' : 'GET',
        headers: anon,
      });
    }
    await send(`${url}/health`, { headers: anon }); // the sentinel: recorded last
    await until(() => client.tracked('API Call').length === 3);
    expect(client.tracked('API Call').map((m) => m.properties?.route)).toEqual([
      '/api/products/:id',
      '/health',
      '/health',
    ]);
  });

  it('skips requests with no identity instead of reporting errors', async () => {
    const { client, url } = await start(true, false);
    await send(`${url}/health`);
    await send(`${url}/health`, { headers: anon });
    await until(() => client.tracked().length === 1);
    expect(client.errors).toEqual([]);
  });

  it('records nothing when off, which is the default', async () => {
    const client = createTestAnalytics();
    const app = createExpress();
    app.use(analyticsMiddleware({ client }));
    app.get('/', (req, res) => void res.send(String(req.analytics.track({ event: 'Marker' }))));
    served = await serve(app);
    await send(served.url, { headers: anon });
    expect(client.messages.map((m) => m.event)).toEqual(['Marker']);
  });
});
