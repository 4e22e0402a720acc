import type { Analytics } from '@tributary/core';
import { CLIENT_SYMBOL } from './shared-client.js';

/** Where `flushOnShutdown` records what it covers; shared by every route bundle's copy. */
const COVERED = Symbol.for('tributary.next.shutdown-covers');
/** `false` after `initAnalytics({ flushAfterResponse: true })`; batching is the default. */
const ALLOWED = Symbol.for('tributary.next.batch-delivery');

/** What the shutdown hook of this process covers. */
export interface ShutdownCover {
  client: Analytics;
  /** Whether the host looked like a serverless platform when the hook was registered. */
  serverless: boolean;
  /** Whether a request has come through a Node.js HTTP server the hook holds. */
  serving(): boolean;
}

type Globals = typeof globalThis & {
  [ALLOWED]?: boolean;
  [COVERED]?: ShutdownCover;
  [CLIENT_SYMBOL]?: Analytics;
};

/** Records what the shutdown hook covers; `flushOnShutdown` calls it once. */
export function coverOnShutdown(cover: ShutdownCover): void {
  (globalThis as Globals)[COVERED] = cover;
}

/** Lets the client's batching deliver where {@link batchDelivers} allows it; `initAnalytics` calls it. */
export function allowBatchDelivery(allowed: boolean): void {
  (globalThis as Globals)[ALLOWED] = allowed;
}

/**
 * Whether the shared client's own batching (`flushInterval`) delivers what a request queued, so no
 * flush needs scheduling after its response: on a long-running Node.js server (`next start`, no
 * serverless variable) whose shutdown hook delivers that client's events before the process exits.
 * A flush per request there would only cut the batches short: one collector request per event.
 */
export function batchDelivers(): boolean {
  const g = globalThis as Globals;
  if (g[ALLOWED] === false) return false;
  const cover = g[COVERED];
  return (
    cover !== undefined && !cover.serverless && cover.client === g[CLIENT_SYMBOL] && cover.serving()
  );
}
