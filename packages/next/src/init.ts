import { Analytics, type AnalyticsOptions } from '@tributary/core';
import type { ClientIpOptions } from './client-ip.js';
import { acquireClient } from './shared-client.js';
import { flushOnShutdown } from './shutdown.js';

/** Options shared by every wrapper unless a wrapper overrides them. */
export interface NextRequestOptions extends ClientIpOptions {
  /**
   * Milliseconds a flush may take where delivery has to be awaited before the response
   * (serverless without `waitUntil`), or is handed to `after()`/`waitUntil`. Defaults to 2000.
   */
  flushTimeout?: number | undefined;
}

/** Options of {@link initAnalytics}: the client's options plus the request defaults. */
export interface NextAnalyticsOptions extends AnalyticsOptions, NextRequestOptions {
  /**
   * With `NEXT_MANUAL_SIG_HANDLE=true`, close the client (delivering what is queued) on SIGTERM and
   * SIGINT, then exit 0; see {@link flushOnShutdown}. Defaults to `true`.
   */
  flushOnShutdown?: boolean | undefined;
}

/**
 * Creates the process-wide client for every route, page, action and proxy of the app. Call it
 * from `register()` in `instrumentation.ts`. The client lives on
 * `globalThis[Symbol.for('tributary.next.client')]`, so every route bundle shares it. Without this
 * call, the client is created on first use from `TRIBUTARY_WRITE_KEY` (or `SEGMENT_WRITE_KEY`) and
 * `TRIBUTARY_HOST`. During `next build` it returns a client that sends nothing.
 * @example
 * // instrumentation.ts
 * import { initAnalytics } from '@tributary/next';
 * export function register() {
 *   initAnalytics({ writeKey: process.env.TRIBUTARY_WRITE_KEY, trustedProxyHops: 1 });
 * }
 */
export function initAnalytics(options: NextAnalyticsOptions): Analytics {
  const client = acquireClient(Analytics, options);
  if (options.flushOnShutdown !== false) flushOnShutdown(client);
  return client;
}
