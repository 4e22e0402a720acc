import { createTestAnalytics } from '@tributary/core/testing';
import express, { type ErrorRequestHandler } from 'express';
import express4 from 'express4';
import { afterEach, describe, expect, it } from 'vitest';
import { send, serve, type Served } from '../test/serve.js';
import { analyticsErrorHandler, analyticsMiddleware, type ErrorHandlerOptions } from './index.js';

const anon = { cookie: 'ajs_anonymous_id=a1' };

describe.each([
  ['Express 5', express],
  ['Express 4', express4],
])('analyticsErrorHandler on %s', (name, createExpress) => {
  let served: Served | undefined;
  afterEach(() => served?.close());

  async function start(options?: ErrorHandlerOptions, withMiddleware = true, mint = true) {
    const client = createTestAnalytics();
    const app = createExpress();
    if (withMiddleware)
      app.use(analyticsMiddleware({ client, ...(mint ? {} : { anonymousId: { mint: false } }) }));
    app.get('/orders/:id', () => {
      throw new TypeError('cannot read total');
    });
    app.get('/missing', (_req, _res, next) =>
      next(Object.assign(new Error('no such thing'), { status: 404 })),
    );
    const failing = async (): Promise<void> => {
      await Promise.resolve();
      throw new Error('async failure');
    };
    // Express 5 forwards a rejected handler to the error handlers; Express 4 needs .catch(next).
    if (name === 'Express 5') app.get('/async', failing);
    else app.get('/async', (_req, _res, next) => void failing().catch(next));
    app.use(analyticsErrorHandler(options));
    const last: ErrorRequestHandler = (err: Error & { status?: number }, _req, res, _next) => {
      res.status(err.status ?? 500).send(`handled: ${err.message}`);
    };
    app.use(last);
    served = await serve(app);
    return { client, url: served.url };
  }

  it('records a server error with its route template and passes the error on', async () => {
    const { client, url } = await start();
    const reply = await send(`${url}/orders/7`, { headers: anon });
    expect(reply).toMatchObject({ status: 500, body: 'handled: cannot read total' });
    expect(client.tracked('Server Error')[0]?.properties).toEqual({
      name: 'TypeError',
      message: 'cannot read total',
      status: 500,
      method: 'GET',
      route: '/orders/:id',
    });
  });

  it('does not record client errors by default, and follows shouldRecord and properties', async () => {
    const first = await start();
    expect(await send(`${first.url}/missing`, { headers: anon })).toMatchObject({ status: 404 });
    expect(first.client.messages).toEqual([]);
    await served?.close();

    const custom = await start({
      event: 'Failure',
      shouldRecord: () => true,
      properties: (e) => ({ what: String(e) }),
    });
    await send(`${custom.url}/missing`, { headers: anon });
    expect(custom.client.tracked('Failure')[0]?.properties).toEqual({
      what: 'Error: no such thing',
    });
  });

  it('passes the error on untouched when the middleware is missing or the request is anonymous', async () => {
    const bare = await start(undefined, false);
    expect(await send(`${bare.url}/orders/1`)).toMatchObject({
      status: 500,
      body: 'handled: cannot read total',
    });
    await served?.close();
    const anonymous = await start(undefined, true, false);
    expect(await send(`${anonymous.url}/orders/1`)).toMatchObject({ status: 500 });
    expect(anonymous.client.errors).toEqual([]);
  });

  it('records errors of rejected async handlers', async () => {
    const { client, url } = await start();
    expect(await send(`${url}/async`, { headers: anon })).toMatchObject({ status: 500 });
    expect(client.tracked('Server Error')[0]?.properties).toMatchObject({
      message: 'async failure',
      route: '/async',
    });
  });
});
