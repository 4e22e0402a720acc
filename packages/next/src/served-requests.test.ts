import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { servedRequests } from './served-requests.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server?.listening ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** A server whose requests wait until `release()`. */
async function serve() {
  const waiting: (() => void)[] = [];
  server = createServer((_req, res) => {
    waiting.push(() => res.end('done'));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    requestsWaiting: () => waiting.length,
    release: () => waiting.splice(0).forEach((end) => end()),
  };
}

function get(port: number) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders }>((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1' }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('servedRequests', () => {
  it('counts requests in flight and resolves whenIdle once they are answered', async () => {
    const served = servedRequests()!;
    const app = await serve();
    const replies = [get(app.port), get(app.port)];
    await until(() => app.requestsWaiting() === 2);
    expect(served.inFlight).toBe(2);
    const idle = served.whenIdle(Date.now() + 5_000);
    app.release();
    await expect(idle).resolves.toBe(true);
    await Promise.all(replies);
  });

  it('knows it is serving once a request has come through a server', async () => {
    const served = servedRequests()!;
    const app = await serve();
    const reply = get(app.port);
    await until(() => app.requestsWaiting() === 1);
    expect(served.serving).toBe(true);
    app.release();
    await reply;
  });

  it('stops counting a request whose client went away before the answer', async () => {
    const served = servedRequests()!;
    const app = await serve();
    const cut = request({ port: app.port, host: '127.0.0.1' });
    cut.on('error', () => {});
    cut.end();
    await until(() => app.requestsWaiting() === 1);
    expect(served.inFlight).toBe(1);
    cut.destroy();
    await until(() => served.inFlight === 0);
    app.release();
  });

  it('whenIdle resolves false at the deadline while a request is still in flight', async () => {
    const served = servedRequests()!;
    const app = await serve();
    const reply = get(app.port);
    await until(() => app.requestsWaiting() === 1);
    await expect(served.whenIdle(Date.now() + 20)).resolves.toBe(false);
    app.release();
    await reply;
  });

  it('stopAccepting refuses new connections and answers requests in flight with Connection: close', async () => {
    const served = servedRequests()!;
    const app = await serve();
    const inFlight = get(app.port);
    await until(() => app.requestsWaiting() === 1);
    served.stopAccepting();
    await expect(get(app.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    app.release();
    const reply = await inFlight;
    expect(reply.status).toBe(200);
    expect(reply.headers.connection).toBe('close');
  });
});
