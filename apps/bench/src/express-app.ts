/**
 * Scenario 5's app, and Express 4's in the per-framework scenario: an Express server with one
 * `track()` per request (or none, the baseline), in its own process so its CPU is measured apart
 * from the load generator and the sink.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AddressInfo } from 'node:net';
import type { Request, Response } from 'express';
import { eventProperties, EVENT_NAME, userIdFor } from './event.js';
import { answerMarks, nextFromParent, tell } from './ipc.js';
import type { AppSpec, Envelope } from './protocol.js';
import { POSTHOG_KEY, WRITE_KEY } from './sdks.js';

const { spec } = (await nextFromParent('app', 30_000)) as Envelope & { spec: AppSpec };
// Express 4 is installed beside 5 under an npm alias; the two share this code and the same API.
const { default: express } =
  spec.framework === 'express4' ? await import('express4') : await import('express');
const app = express();
let served = 0;
let track: (req: Request, i: number) => void = () => undefined;
let close: () => Promise<unknown> = async () => undefined;

switch (spec.variant) {
  case 'baseline':
    break;
  case 'baseline-als': {
    // No analytics: one storage entered per request, as any request context that follows awaits
    // must. The handler checks it is there, so a request that missed it answers 500 (an error).
    const als = new AsyncLocalStorage<object>();
    app.use((_req, _res, next) => als.run({}, next));
    track = () => {
      if (als.getStore() === undefined) throw new Error('the request ran outside its storage');
    };
    break;
  }
  case 'ideal-client': {
    const { IdealClient } = await import('./ideal-client.js');
    const client = new IdealClient(spec.host);
    track = (_req, i) => client.track(i);
    close = () => client.close();
    break;
  }
  case 'tributary': {
    const { analyticsMiddleware } = await import('@tributary/express');
    const middleware = analyticsMiddleware({ writeKey: WRITE_KEY, host: spec.host });
    app.use(middleware);
    track = (req, i) =>
      req.analytics.track({
        userId: userIdFor(i),
        event: EVENT_NAME,
        properties: eventProperties(i),
      });
    close = () => middleware.client.close({ timeout: 2000 });
    break;
  }
  case 'tributary-core': {
    const { Analytics: Tributary } = await import('@tributary/core');
    const client = new Tributary({ writeKey: WRITE_KEY, host: spec.host });
    track = (_req, i) => client.track(userIdFor(i), EVENT_NAME, eventProperties(i));
    close = () => client.close({ timeout: 2000 });
    break;
  }
  case 'segment': {
    const { Analytics: Segment } = await import('@segment/analytics-node');
    const client = new Segment({ writeKey: WRITE_KEY, host: spec.host });
    track = (_req, i) =>
      client.track({ userId: userIdFor(i), event: EVENT_NAME, properties: eventProperties(i) });
    close = () => client.closeAndFlush({ timeout: 2000 });
    break;
  }
  case 'posthog': {
    const { PostHog } = await import('posthog-node');
    const client = new PostHog(POSTHOG_KEY, { host: spec.host });
    track = (_req, i) =>
      client.capture({
        distinctId: userIdFor(i),
        event: EVENT_NAME,
        properties: eventProperties(i),
      });
    close = () => client.shutdown(2000);
    break;
  }
  default:
    throw new Error(`"${spec.variant}" is not a variant of the Express app`);
}

app.get('/checkout', (req: Request, res: Response) => {
  track(req, served);
  served++;
  res.json({ ok: true, order: 'ord_8f14e45fceea167a5a36' });
});

const server = app.listen(0, '127.0.0.1', () => {
  void tell({ type: 'listening', port: (server.address() as AddressInfo).port });
});

answerMarks({
  served: () => served,
  stop: () => {
    server.closeAllConnections();
    server.close();
    return close();
  },
});
