import { existsSync } from 'node:fs';
import { Agent } from 'node:http';
import { fileURLToPath } from 'node:url';
import { startCollector, type RunningCollector } from '@tributary/collector';
import { afterEach, describe, expect, it } from 'vitest';
import { anonymousCookie, send, startShop } from '../express/helpers.js';
import { startNestShop } from '../nestjs/helpers.js';
import { buildFixture, freePort, runNext, SERVER_APP_DIR, startNext } from '../next/helpers.js';
import { sigtermUnderLoad } from '../next/sigterm-under-load.js';
import { recordResult } from './helpers/results.js';
import { size, waitFor } from './helpers/sizes.js';

/** A running example app, however it is started. */
interface App {
  url: string;
  pid: number;
  /** Sends SIGTERM to this app's own process. */
  terminate(): void;
  kill(): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

interface AppCase {
  name: string;
  built: boolean;
  /** The route that tracks one event per request, with the anonymous id from the cookie. */
  path: string;
  event: string;
  start(collectorUrl: string): Promise<App>;
}

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const FORGED_IP = '198.51.100.66';
const COOKIE_SECRET = 'session=COOKIE_S3CR3T_app';
const AUTH_SECRET = 'Bearer AUTH_S3CR3T_app';
/** Requests answered before the signal. */
const BEFORE_SIGNAL = size(150, 1_000);
/** The apps' shutdown budget: each must have delivered and exited well within it. */
const SHUTDOWN_LIMIT = 15_000;

const apps: AppCase[] = [
  {
    name: 'example-express',
    built: existsSync(root('apps/example-express/dist/server.js')),
    path: '/products/p1',
    event: 'Product Viewed',
    async start(collectorUrl) {
      const shop = await startShop(collectorUrl);
      return {
        url: shop.url,
        pid: shop.child.pid!,
        terminate: () => shop.child.kill('SIGTERM'),
        kill: () => shop.child.kill('SIGKILL'),
        exited: shop.exited,
        output: shop.output,
      };
    },
  },
  ...(['express', 'fastify'] as const).map((platform): AppCase => ({
    name: `example-nestjs (${platform})`,
    built: existsSync(root('apps/example-nestjs/dist/main.js')),
    path: '/products/p-100',
    event: 'Product Viewed',
    async start(collectorUrl) {
      const shop = await startNestShop(platform, collectorUrl, {
        TRIBUTARY_SHUTDOWN_TIMEOUT: String(SHUTDOWN_LIMIT),
      });
      return {
        url: shop.url,
        pid: shop.child.pid!,
        terminate: () => shop.child.kill('SIGTERM'),
        kill: () => shop.child.kill('SIGKILL'),
        exited: shop.exited,
        output: () => shop.stdout() + shop.stderr(),
      };
    },
  })),
  {
    name: 'example-next',
    built: existsSync(root('apps/example-next/.next/BUILD_ID')),
    path: '/api/products?q=tea',
    event: 'Products Searched',
    async start(collectorUrl) {
      const port = await freePort();
      // The existing production build; no proxy is trusted (TRUSTED_PROXY_HOPS unset). Next exits
      // 143 on SIGTERM by itself; with NEXT_MANUAL_SIG_HANDLE the app owns the signal and
      // @tributary/next closes the client, then exits 0: the documented way to run it.
      const server = runNext(['start', '-p', String(port), '-H', '127.0.0.1'], {
        TRIBUTARY_HOST: collectorUrl,
        TRIBUTARY_WRITE_KEY: 'reliability-next-key',
        NEXT_MANUAL_SIG_HANDLE: 'true',
      });
      const url = `http://127.0.0.1:${port}`;
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
        (resolve) => server.child.once('exit', (code, signal) => resolve({ code, signal })),
      );
      const deadline = Date.now() + 60_000;
      for (;;) {
        if (server.child.exitCode !== null)
          throw new Error(`next start exited:\n${server.output()}`);
        if (Date.now() > deadline) {
          server.child.kill('SIGKILL');
          throw new Error(`next start did not answer within 60 s:\n${server.output()}`);
        }
        const up = await fetch(`${url}/api/products`).then(
          (r) => r.ok,
          () => false,
        );
        if (up) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      return {
        url,
        pid: server.child.pid!,
        terminate: () => server.child.kill('SIGTERM'),
        kill: () => server.child.kill('SIGKILL'),
        exited,
        output: server.output,
      };
    },
  },
];

const running: App[] = [];
const collectors: RunningCollector[] = [];
afterEach(async () => {
  for (const app of running.splice(0)) {
    app.kill();
    await app.exited;
  }
  for (const collector of collectors.splice(0)) await collector.close();
});

describe('example apps: SIGTERM under load, forged X-Forwarded-For, cookies and Authorization', () => {
  for (const app of apps) {
    it(`${app.name}: delivers every event accepted before SIGTERM, exits 0 in time, and never trusts a forged X-Forwarded-For`, async () => {
      // `npm test` builds every app first (turbo); a missing build is a failure, not a skip.
      if (!app.built) throw new Error(`${app.name} is not built: run \`npm run build\` first`);
      const collector = await startCollector({ port: 0, memory: true });
      collectors.push(collector);
      const started = await app.start(collector.url);
      // A slow API, so that batches are in flight and queued when the signal arrives.
      collector.faults.set({ latency: 250 });
      running.push(started);
      const prefix = `sigterm-${app.name.replace(/\W+/g, '-')}`;
      const answered: string[] = [];
      /** Answered once the signal had been sent: the app kept serving while it shut down. */
      const answeredAfter = new Set<string>();
      let attempted = 0;
      let signalledAt = 0;
      const agent = new Agent({ keepAlive: true, maxSockets: 8 });
      const worker = async (w: number): Promise<void> => {
        for (let n = 0; n < BEFORE_SIGNAL; n++) {
          const id = `${prefix}-${w}-${n}`;
          attempted++;
          try {
            const reply = await send(`${started.url}${app.path}`, {
              agent,
              headers: {
                cookie: `${anonymousCookie(id)}; ${COOKIE_SECRET}`,
                authorization: AUTH_SECRET,
                'x-forwarded-for': FORGED_IP,
                'x-request-id': id,
              },
            });
            if (reply.status === 200) {
              answered.push(id);
              if (signalledAt > 0) answeredAfter.add(id);
            } else if (signalledAt > 0) return;
          } catch {
            return; // refused or reset: the app has stopped accepting
          }
          if (signalledAt > 0 && Date.now() - signalledAt > SHUTDOWN_LIMIT) return;
        }
      };
      const workers = Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
      await waitFor(
        () => answered.length >= BEFORE_SIGNAL,
        `the first ${BEFORE_SIGNAL} answers`,
        60_000,
      );
      signalledAt = Date.now();
      started.terminate();
      const exit = await Promise.race([
        started.exited,
        new Promise<'timeout'>((resolve) =>
          setTimeout(() => resolve('timeout'), SHUTDOWN_LIMIT + 5_000),
        ),
      ]);
      const shutdownMs = Date.now() - signalledAt;
      await workers;
      agent.destroy();

      const stored = collector
        .events({ event: app.event })
        .filter((e) => e.anonymousId?.startsWith(`${prefix}-`));
      const storedIds = new Set(stored.map((e) => e.anonymousId));
      const missing = answered.filter((id) => !storedIds.has(id));
      // Accepted before the signal and never stored: lost, whatever the app logged.
      const lost = missing.filter((id) => !answeredAfter.has(id));
      // Answered after the signal without an event: the call was refused (CLIENT_CLOSED) and
      // only the app's log says so. Counted as reported when the log holds as many refusals.
      const droppedAfter = missing.length - lost.length;
      const refusalsLogged = started.output().split('CLIENT_CLOSED').length - 1;
      const everything = JSON.stringify(collector.events().map((e) => e.message));
      const ips = [
        ...new Set(
          stored.map((e) => (e.message.context as { ip?: string } | undefined)?.ip ?? '(none)'),
        ),
      ];
      recordResult({
        id: `apps/${app.name.replace(/[^\w-]+/g, '-').replace(/-+$/, '')}`,
        title: `${app.name}: SIGTERM after ${BEFORE_SIGNAL} answered requests, 8 clients, API answering in 250 ms, forged X-Forwarded-For and Cookie/Authorization on every request`,
        sent: attempted,
        accepted: answered.length,
        delivered: answered.length - missing.length,
        duplicated: collector.stats().duplicates,
        reported: Math.min(droppedAfter, refusalsLogged),
        lost: lost.length + Math.max(0, droppedAfter - refusalsLogged),
        notes:
          `exit ${exit === 'timeout' ? 'still running' : `${exit.code}${exit.signal ? ` (${exit.signal})` : ''}`} ${shutdownMs} ms after SIGTERM; ` +
          `answered after the signal ${answeredAfter.size}, of which without an event ${droppedAfter} (CLIENT_CLOSED lines in the app's log: ${refusalsLogged}); ` +
          `context.ip seen: ${ips.join(', ')}; stored for unanswered requests: ${stored.length - (answered.length - missing.length)}`,
        durationMs: shutdownMs,
      });

      if (exit === 'timeout' || exit.code !== 0)
        console.log(`[reliability] ${app.name} output:\n${started.output().slice(-3000)}`);
      expect(exit, 'how the app ended after SIGTERM').toEqual({ code: 0, signal: null });
      expect(shutdownMs).toBeLessThan(SHUTDOWN_LIMIT);
      expect(
        lost,
        `answered before the signal but never delivered (${lost.length} of ${answered.length})`,
      ).toEqual([]);
      // An app that keeps answering while it shuts down must at least report what it drops.
      expect(
        droppedAfter,
        'requests answered 200 after SIGTERM whose event was neither delivered nor logged as refused',
      ).toBeLessThanOrEqual(refusalsLogged);
      expect(everything).not.toContain(FORGED_IP);
      for (const secret of ['COOKIE_S3CR3T_app', 'AUTH_S3CR3T_app'])
        expect(everything).not.toContain(secret);
    }, 120_000);
  }

  it('lists which example apps were built when the suite ran', () => {
    const missing = apps.filter((a) => !a.built).map((a) => a.name);
    if (missing.length > 0)
      console.log(`[reliability] apps not built, scenario skipped: ${missing.join(', ')}`);
    expect(apps.length).toBe(4);
  });
});

// `next start` of test/next/fixtures/server-app (initAnalytics as the README shows it), in both
// ways SIGTERM can be handled, with a slow collector and with one whose first answers are 503s.
// The route tracks when a request starts and again 300 ms later, so the requests in flight at
// the signal track while the server shuts down. Every event is counted by messageId.
describe('next start: SIGTERM in both signal modes under load', () => {
  const collectorCases = [
    { name: 'slow collector (400 ms)', faults: { latency: 400 } },
    {
      name: 'failing-first collector (the next 10 requests from the signal on answered 503)',
      faults: { failNext: { status: 503, count: 10 } },
    },
  ];
  const modes: { name: string; env: Record<string, string>; code: number }[] = [
    { name: 'NEXT_MANUAL_SIG_HANDLE=true', env: { NEXT_MANUAL_SIG_HANDLE: 'true' }, code: 0 },
    { name: 'Next.js handles SIGTERM', env: {}, code: 143 },
  ];
  let built = false;
  for (const mode of modes) {
    for (const collectorCase of collectorCases) {
      it(`${mode.name}, ${collectorCase.name}: no request in flight is cut and every answered request's events are delivered`, async () => {
        if (!built) await buildFixture(SERVER_APP_DIR);
        built = true;
        const collector = await startCollector({ port: 0, memory: true, quiet: true });
        collectors.push(collector);
        const app = await startNext(SERVER_APP_DIR, {
          TRIBUTARY_WRITE_KEY: 'reliability-next-server-key',
          TRIBUTARY_HOST: collector.url,
          ...mode.env,
        });
        running.push({
          url: app.url,
          pid: app.child.pid!,
          terminate: () => app.child.kill('SIGTERM'),
          kill: () => app.child.kill('SIGKILL'),
          exited: app.done.then(({ code }) => ({ code, signal: null })),
          output: app.output,
        });
        collector.reset();
        const slow = 'latency' in collectorCase.faults;
        if (slow) collector.faults.set(collectorCase.faults);
        const signalAfter = size(60, 400);
        const result = await sigtermUnderLoad(app, collector, {
          clients: 8,
          signalAfter,
          delay: 300,
          limit: SHUTDOWN_LIMIT,
          prefix: `next-${mode.code}-${collectorCase.name.split(' ')[0]}`,
          // Batches are being retried when the signal arrives.
          beforeSignal: () => {
            if (!slow) collector.faults.set(collectorCase.faults);
          },
        });
        const exit = result.exit === 'still running' ? result.exit : `exit ${result.exit.code}`;
        recordResult({
          id: `apps/next-start-${mode.code === 0 ? 'manual' : 'next'}-sigterm-${collectorCase.name.split(' ')[0]}`,
          title: `next start, ${mode.name}: SIGTERM after ${signalAfter} answered requests, 8 keep-alive clients, a 300 ms route tracking at its start and end, ${collectorCase.name}`,
          sent: result.answered.length * 2,
          accepted: result.answered.length * 2,
          delivered: result.answered.length * 2 - result.lost.length - result.reported.length,
          duplicated: result.duplicates,
          reported: result.reported.length,
          lost: result.lost.length,
          notes:
            `${exit} ${result.shutdownMs} ms after SIGTERM; requests sent ${result.sent}, answered ${result.answered.length} ` +
            `(${result.answeredAfterSignal} after the signal), refused ${result.failed.size} ` +
            `(${[...new Set(result.failed.values())].join(', ') || 'none'}), cut in flight ${result.cut.length}; ` +
            `counted over ${result.storedMessageIds} stored messageIds`,
          durationMs: result.shutdownMs,
        });
        if (result.exit === 'still running' || result.exit.code !== mode.code)
          console.log(`[reliability] next start output:\n${app.output().slice(-3000)}`);
        expect(result.exit).toMatchObject({ code: mode.code });
        expect(result.shutdownMs).toBeLessThan(SHUTDOWN_LIMIT);
        expect(result.cut, 'requests the route had started whose connection was cut').toEqual([]);
        expect(result.lost, 'answered requests with an event neither stored nor reported').toEqual(
          [],
        );
        expect(result.reported, 'events reported instead of delivered').toEqual([]);
        expect(result.answered.length).toBeGreaterThanOrEqual(signalAfter);
        if (!slow) expect(collector.stats().faults.fail_next).toBe(10);
      }, 240_000);
    }
  }
});
