import type { Analytics } from '@tributary/core';
import { DEFAULT_SHUTDOWN_TIMEOUT } from '@tributary/core/adapter';
import { coverOnShutdown } from './batch-delivery.js';
import { isServerless } from './env.js';
import { servedRequests, type ServedRequests } from './served-requests.js';

const REGISTERED = Symbol.for('tributary.next.shutdown');

/** Options of {@link flushOnShutdown}. */
export interface ShutdownOptions {
  /** Signals to handle with `NEXT_MANUAL_SIG_HANDLE=true`. Defaults to `['SIGTERM', 'SIGINT']`. */
  signals?: NodeJS.Signals[] | undefined;
  /**
   * Milliseconds from the signal until what is left is reported through `onError`: requests in
   * flight finish, then queued events are delivered, within this budget. Defaults to
   * `DEFAULT_SHUTDOWN_TIMEOUT` (10000), the kit's default in every adapter.
   */
  timeout?: number | undefined;
}

/** How {@link flushOnShutdown} took part in the shutdown. */
export type ShutdownMode = 'manual' | 'next' | 'none';

/**
 * Delivers every accepted event before `next start` exits, or reports it through `onError`.
 *
 * - With `NEXT_MANUAL_SIG_HANDLE=true` (`'manual'`) the app owns SIGTERM/SIGINT: this stops
 *   accepting connections, lets the requests in flight finish (their calls are accepted), closes
 *   the client and exits 0, all within `timeout`.
 * - Otherwise (`'next'`) Next.js handles the signal: it stops its server, waits for the requests
 *   in flight and exits 143. This runs when the server has stopped, before that exit: it closes
 *   the client within `timeout`, so an event still being retried is delivered or reported.
 *
 * Does nothing (`'none'`) on the edge runtime, outside Node.js, or when already registered.
 */
export function flushOnShutdown(client: Analytics, options: ShutdownOptions = {}): ShutdownMode {
  const proc = globalThis.process as (NodeJS.Process & { [REGISTERED]?: true }) | undefined;
  if (proc?.env === undefined || proc.env.NEXT_RUNTIME === 'edge') return 'none';
  if (typeof proc.once !== 'function' || proc[REGISTERED] === true) return 'none';
  const served = servedRequests();
  if (served === undefined) return 'none';
  proc[REGISTERED] = true;
  const timeout = options.timeout ?? DEFAULT_SHUTDOWN_TIMEOUT;

  // Next.js tests the variable for truthiness: an empty value leaves the signals to Next.
  if (!proc.env.NEXT_MANUAL_SIG_HANDLE) {
    // Only a server closed by Next's signal handler means the process is ending; another server
    // of the app may close earlier. Without Next's handlers (a custom server) the app's own
    // close is the shutdown, and no listener is added: one would stop the signal's default exit.
    // Prepended, because Next's handler closes the server synchronously.
    const handled = (['SIGTERM', 'SIGINT'] as const).filter((s) => proc.listenerCount(s) > 0);
    let ending = handled.length === 0;
    for (const signal of handled) proc.prependListener(signal, () => (ending = true));
    served.beforeCloseCallback(async (closedAt) => {
      if (ending) await client.close({ timeout: Math.max(0, closedAt + timeout - Date.now()) });
    });
    // A custom server may exit without closing its server: only Next's own handler is sure to.
    if (handled.length > 0) cover(client, served);
    return 'next';
  }

  let closing = false;
  const onSignal = () => {
    // A second signal while shutting down means "now".
    if (closing) proc.exit(1);
    closing = true;
    const deadline = Date.now() + timeout;
    served.stopAccepting();
    // The client stays open while requests are served, so their calls are accepted; close()
    // then delivers everything and reports, through onError, what the budget leaves out.
    void served
      .whenIdle(deadline)
      .then(() => client.close({ timeout: Math.max(0, deadline - Date.now()) }))
      .finally(() => proc.exit(0));
  };
  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT']) proc.on(signal, onSignal);
  cover(client, served);
  return 'manual';
}

/** From here on the client's batching delivers on this server: see `batchDelivers`. */
function cover(client: Analytics, served: ServedRequests): void {
  coverOnShutdown({ client, serverless: isServerless(), serving: () => served.serving });
}
