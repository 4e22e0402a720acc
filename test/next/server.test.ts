import { Agent, createServer, request, type IncomingMessage } from 'node:http';
import { startCollector, type RunningCollector } from '@tributary/collector';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { submitServerAction } from '../../apps/example-next/journey.mjs';
import { buildFixture, SERVER_APP_DIR, startNext, stop, until } from './helpers.js';
import { reportedMessages, sigtermUnderLoad, type RunningNext } from './sigterm-under-load.js';

// `next start` of a small app built from the README (test/next/fixtures/server-app): the client
// ip on a bare server and behind a proxy, and both ways SIGTERM can be handled.
let collector: RunningCollector;
const running: RunningNext[] = [];

beforeAll(async () => {
  collector = await startCollector({ port: 0, memory: true, quiet: true });
  await buildFixture(SERVER_APP_DIR);
});

afterEach(async () => {
  for (const app of running.splice(0)) await stop(app.child, app.done);
  collector.faults.clear();
  collector.reset();
});

afterAll(async () => {
  await collector?.close();
});

async function start(env: Record<string, string> = {}): Promise<RunningNext> {
  const app = await startNext(SERVER_APP_DIR, {
    TRIBUTARY_WRITE_KEY: 'server-fixture-key',
    TRIBUTARY_HOST: collector.url,
    ...env,
  });
  running.push(app);
  return app;
}

const ipOf = (e: { message: Record<string, unknown> }) =>
  (e.message.context as { ip?: string } | undefined)?.ip;
const idOf = (e: { message: Record<string, unknown> }) =>
  (e.message.properties as { id?: string } | undefined)?.id;

function get(
  url: string,
  options: { agent?: Agent; localAddress?: string; headers?: Record<string, string> } = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, options, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('delivery on next start', () => {
  it('sends the events of concurrent requests in shared batches by default', async () => {
    const app = await start();
    const ids = Array.from({ length: 20 }, (_, i) => `batch-${String(i)}`);
    const before = collector.stats().requests;
    await Promise.all(
      ids.map(async (id) => expect(await get(`${app.url}/api/ip?id=${id}`)).toBe(200)),
    );
    const seen = await eventsWithIds('Ip Seen', ids);
    expect(seen.map(idOf).sort()).toEqual([...ids].sort());
    // No flush per response: the client's batching delivers.
    expect(collector.stats().requests - before).toBeLessThan(ids.length / 2);
  });

  it("with flushAfterResponse: true, delivers each response's event without waiting for the batch", async () => {
    // A flush interval no test outlives: only the flush after each response can deliver.
    const app = await start({ FLUSH_AFTER_RESPONSE: 'true', FLUSH_INTERVAL: '600000' });
    for (const id of ['flushed-1', 'flushed-2', 'flushed-3']) {
      expect(await get(`${app.url}/api/ip?id=${id}`)).toBe(200);
      const [seen] = await eventsWithIds('Ip Seen', [id]);
      expect(idOf(seen!)).toBe(id);
    }
  });
});

describe('client ip on a bare next start', () => {
  it('is the socket address of each request, never a forged X-Forwarded-For, across concurrent keep-alive clients', async () => {
    const app = await start();
    const addresses = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);
    const agents = addresses.map(() => new Agent({ keepAlive: true, maxSockets: 2 }));
    const expected = new Map<string, string>();
    await Promise.all(
      addresses.map(async (address, a) => {
        for (let n = 0; n < 10; n++) {
          const id = `ip-${a}-${n}`;
          expected.set(id, address);
          const status = await get(`${app.url}/api/ip?id=${id}`, {
            agent: agents[a],
            localAddress: address,
            headers: { 'x-forwarded-for': `6.6.6.${a}`, 'x-real-ip': '6.6.6.99' },
          });
          expect(status).toBe(200);
        }
      }),
    );
    for (const agent of agents) agent.destroy();
    const seen = await eventsWithIds('Ip Seen', [...expected.keys()]);
    const byId = new Map(seen.map((e) => [idOf(e), ipOf(e)]));
    expect(Object.fromEntries(byId)).toEqual(Object.fromEntries(expected));
    expect(JSON.stringify(collector.events().map((e) => e.message))).not.toContain('6.6.6.');
  });

  it('reaches Server Actions, Pages API routes and the Node.js proxy', async () => {
    const app = await start();
    const forged = { 'x-forwarded-for': '6.6.6.6' };
    const action = await submitServerAction(app.url, '/action', { id: 'action-ip' }, forged);
    expect(action.status).toBeLessThan(400);
    expect(
      await get(`${app.url}/`, {
        localAddress: '127.0.0.7',
        headers: { ...forged, 'x-request-id': 'page-ip' },
      }),
    ).toBe(200);
    expect(
      await get(`${app.url}/api/legacy-ip?id=pages-ip`, {
        localAddress: '127.0.0.8',
        headers: forged,
      }),
    ).toBe(200);
    const [submitted] = await eventsWithIds('Action Submitted', ['action-ip']);
    expect(ipOf(submitted!)).toBe('127.0.0.1');
    const [pages] = await eventsWithIds('Ip Seen', ['pages-ip']);
    expect(ipOf(pages!)).toBe('127.0.0.8');
    await until(
      () => collector.events({ type: 'page' }).some((e) => hasRequestId(e, 'page-ip')),
      10_000,
      'the page view',
    );
    const page = collector.events({ type: 'page' }).find((e) => hasRequestId(e, 'page-ip'))!;
    expect(ipOf(page)).toBe('127.0.0.7');
  });

  it('behind one trusted proxy, is the address that proxy saw, whatever the client wrote', async () => {
    const app = await start({ TRUSTED_PROXY_HOPS: '1' });
    // A reverse proxy that appends the address it saw, as nginx's $proxy_add_x_forwarded_for does.
    const target = new URL(app.url);
    const proxy = createServer((req: IncomingMessage, res) => {
      const forwarded = [req.headers['x-forwarded-for'], req.socket.remoteAddress]
        .filter(Boolean)
        .join(', ');
      const upstream = request(
        {
          host: target.hostname,
          port: target.port,
          path: req.url,
          headers: { ...req.headers, 'x-forwarded-for': forwarded },
        },
        (reply) => {
          res.writeHead(reply.statusCode ?? 502, reply.headers);
          reply.pipe(res);
        },
      );
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const { port } = proxy.address() as { port: number };
    try {
      const status = await get(`http://127.0.0.1:${port}/api/ip?id=behind-proxy`, {
        localAddress: '127.0.0.5',
        headers: { 'x-forwarded-for': '6.6.6.6' },
      });
      expect(status).toBe(200);
      const [seen] = await eventsWithIds('Ip Seen', ['behind-proxy']);
      expect(ipOf(seen!)).toBe('127.0.0.5');
    } finally {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});

/** The stored `event`s whose `properties.id` is one of `ids`, once there is one for each. */
async function eventsWithIds(event: string, ids: string[]) {
  const wanted = new Set(ids);
  const matching = () => collector.events({ event }).filter((e) => wanted.has(idOf(e) ?? ''));
  await until(() => matching().length >= wanted.size, 10_000, `${event} for ${ids.length} ids`);
  return matching();
}

function hasRequestId(event: { message: Record<string, unknown> }, id: string): boolean {
  return (event.message.context as { requestId?: string } | undefined)?.requestId === id;
}

describe('SIGTERM with NEXT_MANUAL_SIG_HANDLE=true', () => {
  it('lets requests in flight finish, stores the events of every answered request, and exits 0', async () => {
    const app = await start({ NEXT_MANUAL_SIG_HANDLE: 'true' });
    collector.faults.set({ latency: 400 });
    const result = await sigtermUnderLoad(app, collector, {
      clients: 8,
      signalAfter: 40,
      delay: 300,
      limit: 10_000,
      prefix: 'manual-slow',
    });
    expect(result.exit).toMatchObject({ code: 0 });
    expect(result.shutdownMs).toBeLessThan(10_000);
    expect(result.cut).toEqual([]);
    expect(result.lost).toEqual([]);
    expect(result.reported).toEqual([]);
    expect(result.duplicates).toBe(0);
    expect(result.answered.length).toBeGreaterThanOrEqual(40);
    // The 8 requests in flight at the signal were answered after it.
    expect(result.answeredAfterSignal).toBeGreaterThanOrEqual(1);
  }, 120_000);
});

describe('SIGTERM handled by Next.js (no NEXT_MANUAL_SIG_HANDLE)', () => {
  it('delivers an event still being retried before Next exits', async () => {
    const app = await start();
    collector.faults.set({ failNext: { status: 503, count: 3 } });
    expect(await get(`${app.url}/api/slow?delay=0&id=retried`)).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 150));
    app.child.kill('SIGTERM');
    const exit = await app.done;
    expect(exit.code).toBe(143);
    const stored = collector.events().filter((e) => idOf(e) === 'retried');
    expect(stored.map((e) => e.event).sort()).toEqual(['Slow Finished', 'Slow Started']);
    expect(collector.stats().faults.fail_next).toBe(3);
    expect(reportedMessages(exit.output)).toEqual([]);
  }, 60_000);

  it('reports through onError what it cannot deliver before Next exits', async () => {
    const app = await start();
    collector.faults.set({ failNext: { status: 503, count: 1_000 } });
    expect(await get(`${app.url}/api/slow?delay=0&id=undeliverable`)).toBe(200);
    app.child.kill('SIGTERM');
    const exit = await app.done;
    expect(exit.code).toBe(143);
    const reported = reportedMessages(exit.output).filter((m) => m.id === 'undeliverable');
    expect(reported.map((m) => m.event).sort()).toEqual(['Slow Finished', 'Slow Started']);
  }, 60_000);
});
