import { Agent, request } from 'node:http';
import { Analytics, type Transport } from '@tributary/core';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { send, serve, until } from '../test/serve.js';
import { analyticsMiddleware, registerShutdown } from './index.js';

function recordingClient() {
  const delivered: string[] = [];
  const transport: Transport = async (req) => {
    const body = JSON.parse(String(req.body)) as { batch: { event?: string }[] };
    delivered.push(...body.batch.map((m) => m.event ?? ''));
    return { status: 200, headers: {}, body: '{}' };
  };
  // A long interval: nothing leaves before the shutdown's close.
  return {
    delivered,
    client: new Analytics({
      writeKey: 'k',
      host: 'http://127.0.0.1:1',
      transport,
      flushInterval: 60_000,
    }),
  };
}

async function shopServer() {
  const { client, delivered } = recordingClient();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let entered = false;
  const app = express();
  app.use(analyticsMiddleware({ client }));
  app.get(
    '/fast',
    (req, res) => void res.send(String(req.analytics.track({ anonymousId: 'a', event: 'Fast' }))),
  );
  app.get('/slow', async (req, res) => {
    entered = true;
    await gate;
    req.analytics.track({ anonymousId: 'a', event: 'Slow' });
    res.send('done');
  });
  const served = await serve(app);
  return { ...served, client, delivered, release, entered: () => entered };
}

function get(url: string, agent: Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, { agent }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}

describe('registerShutdown', () => {
  it('stops accepting, lets in-flight requests finish, then delivers everything before resolving', async () => {
    const shop = await shopServer();
    const keepAlive = new Agent({ keepAlive: true });
    expect(await get(`${shop.url}/fast`, keepAlive)).toBe('true'); // leaves an idle keep-alive connection
    const slow = get(`${shop.url}/slow`, keepAlive);
    await until(shop.entered);

    const shutdown = registerShutdown(shop.server, shop.client, { signals: [], timeout: 5000 });
    const done = shutdown();
    expect(shutdown()).toBe(done);
    await until(() => !shop.server.listening);
    await expect(send(`${shop.url}/fast`)).rejects.toThrow();

    shop.release();
    expect(await slow).toBe('done');
    expect(await done).toEqual({ delivered: 2, failed: 0, pending: 0 });
    expect(shop.delivered).toEqual(['Fast', 'Slow']);
    expect(shop.client.closed).toBe(true);
    keepAlive.destroy();
  });

  it('cuts connections still open at the drain deadline and still closes the client', async () => {
    const shop = await shopServer();
    const slow = get(`${shop.url}/slow`, new Agent()).catch(() => 'cut');
    await until(shop.entered);
    const report = await registerShutdown(shop.server, shop.client, {
      signals: [],
      drainTimeout: 50,
    })();
    expect(await slow).toBe('cut');
    expect(report.failed).toBe(0);
    expect(shop.client.closed).toBe(true);
    shop.release();
  });

  it('starts on a signal and leaves the process running when exit is false', async () => {
    const shop = await shopServer();
    registerShutdown(shop.server, shop.client, { signals: ['SIGUSR2'], exit: false });
    process.emit('SIGUSR2', 'SIGUSR2');
    await until(() => shop.client.closed && !shop.server.listening);
  });
});
