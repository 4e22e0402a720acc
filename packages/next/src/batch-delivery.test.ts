import { Analytics } from '@tributary/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allowBatchDelivery, batchDelivers, coverOnShutdown } from './batch-delivery.js';
import { CLIENT_SYMBOL } from './shared-client.js';

const COVERED = Symbol.for('tributary.next.shutdown-covers');
const g = globalThis as Record<symbol, unknown>;

const ALLOWED = Symbol.for('tributary.next.batch-delivery');

beforeEach(() => {
  delete g[ALLOWED];
});
afterEach(() => {
  delete g[ALLOWED];
  delete g[COVERED];
  delete g[CLIENT_SYMBOL];
});

describe('batchDelivers', () => {
  const client = new Analytics({ writeKey: 'k', send: false });

  it('is false until a shutdown hook covers the shared client', () => {
    g[CLIENT_SYMBOL] = client;
    expect(batchDelivers()).toBe(false);
  });

  it('is true on a long-running server whose shutdown hook covers the shared client', () => {
    g[CLIENT_SYMBOL] = client;
    coverOnShutdown({ client, serverless: false, serving: () => true });
    expect(batchDelivers()).toBe(true);
  });

  it('is false when initAnalytics asked for a flush after every response (flushAfterResponse: true)', () => {
    g[CLIENT_SYMBOL] = client;
    coverOnShutdown({ client, serverless: false, serving: () => true });
    allowBatchDelivery(false);
    expect(batchDelivers()).toBe(false);
  });

  it('is false on a serverless host, where the function may freeze after the response', () => {
    g[CLIENT_SYMBOL] = client;
    coverOnShutdown({ client, serverless: true, serving: () => true });
    expect(batchDelivers()).toBe(false);
  });

  it('is false before a request came through a Node.js server the hook holds', () => {
    g[CLIENT_SYMBOL] = client;
    coverOnShutdown({ client, serverless: false, serving: () => false });
    expect(batchDelivers()).toBe(false);
  });

  it('is false when the hook covers another client than the shared one', () => {
    g[CLIENT_SYMBOL] = client;
    coverOnShutdown({
      client: new Analytics({ writeKey: 'k', send: false }),
      serverless: false,
      serving: () => true,
    });
    expect(batchDelivers()).toBe(false);
  });
});
