import { Analytics, type AnalyticsOptions } from '@tributary/core';
import type { AnonymousIdCookieOptions } from '@tributary/core/adapter';
import type { ClientIpOptions } from './client-ip.js';
import { allowBatchDelivery } from './batch-delivery.js';
import { isBuildPhase, isServerless } from './env.js';
import type { TrackErrorsOptions } from './on-request-error.js';
import { capturePeerAddresses } from './peer-address.js';
import { acquireClient } from './shared-client.js';
import { flushOnShutdown } from './shutdown.js';

/** Options shared by every wrapper unless a wrapper overrides them. */
export interface NextRequestOptions extends ClientIpOptions {
  /**
   * Milliseconds a flush may take where delivery has to be awaited before the response
   * (serverless without `waitUntil`), or is handed to `after()`/`waitUntil`. Defaults to 2000.
   */
  flushTimeout?: number | undefined;
  /**
   * Give a visitor without analytics.js's `ajs_anonymous_id` cookie a new id and set the cookie,
   * where the response can take one (the proxy, route handlers, Pages API routes); `false` turns
   * it off. Defaults to `{}`: a host-only cookie for one year.
   */
  anonymousIdCookie?: AnonymousIdCookieOptions | false | undefined;
  /** What `onRequestError` records: `false` for nothing. Defaults to `true`: every server error. */
  trackErrors?: boolean | TrackErrorsOptions | undefined;
}

/** Options of {@link initAnalytics}: the client's options plus the request defaults. */
export interface NextAnalyticsOptions extends AnalyticsOptions, NextRequestOptions {
  /**
   * On `next start`, deliver (or report) every accepted event before the process exits on
   * SIGTERM/SIGINT, in both signal modes; see {@link flushOnShutdown}. Defaults to `true`.
   */
  flushOnShutdown?: boolean | undefined;
  /**
   * On `next start`, `true` flushes the shared client after every response, one collector request
   * per event under load, instead of leaving delivery to the client's batching (every
   * `flushInterval`, or when a batch is full) with the shutdown hook (`flushOnShutdown`)
   * delivering the rest before exit, which saves each tracked request about 130 µs of CPU.
   * Serverless hosts, `flushOnShutdown: false` and an edge-runtime `middleware.ts` always flush
   * after the response. Defaults to `false` on `next start`.
   */
  flushAfterResponse?: boolean | undefined;
}

/**
 * Creates the process-wide client for every route, page, action and proxy of the app. Call it
 * from `register()` in `instrumentation.ts`. The client lives on
 * `globalThis[Symbol.for('tributary.next.client')]`, so every route bundle shares it. Without this
 * call, the client is created on first use from `TRIBUTARY_WRITE_KEY` (or `SEGMENT_WRITE_KEY`) and
 * `TRIBUTARY_HOST`. During `next build` it returns a client that sends nothing. On a long-running
 * Node.js server it also records each request's socket address, the client ip that cannot be
 * forged (see `trustedProxyHops`).
 * @example
 * // instrumentation.ts
 * import { initAnalytics } from '@tributary/next';
 * export function register() {
 *   initAnalytics({ writeKey: process.env.TRIBUTARY_WRITE_KEY });
 * }
 */
export function initAnalytics(options: NextAnalyticsOptions): Analytics {
  const client = acquireClient(Analytics, options);
  if (isBuildPhase()) return client;
  // On a serverless host the socket is the platform's plumbing, not the visitor.
  if (!isServerless()) capturePeerAddresses();
  if (options.flushOnShutdown !== false) flushOnShutdown(client);
  allowBatchDelivery(options.flushAfterResponse !== true);
  return client;
}
