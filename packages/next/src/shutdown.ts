import type { Analytics } from '@tributary/core';

const REGISTERED = Symbol.for('tributary.next.shutdown');

/** Options of {@link flushOnShutdown}. */
export interface ShutdownOptions {
  /** Signals to handle. Defaults to `['SIGTERM', 'SIGINT']`. */
  signals?: NodeJS.Signals[] | undefined;
  /** Milliseconds `close()` may take before what is left is reported. Defaults to 10000. */
  timeout?: number | undefined;
}

/**
 * On `next start`, delivers every queued event before the process exits on SIGTERM/SIGINT.
 * Next.js exits on those signals at once unless `NEXT_MANUAL_SIG_HANDLE=true` is set, in which case
 * the app owns them: this closes the client (flushing with a timeout), then exits 0. Does nothing
 * when Next handles the signals itself, on the edge runtime, or when already registered.
 * @returns whether handlers were installed.
 */
export function flushOnShutdown(client: Analytics, options: ShutdownOptions = {}): boolean {
  const proc = globalThis.process as (NodeJS.Process & { [REGISTERED]?: true }) | undefined;
  if (proc?.env?.NEXT_MANUAL_SIG_HANDLE === undefined || proc.env.NEXT_RUNTIME === 'edge')
    return false;
  if (typeof proc.once !== 'function' || proc[REGISTERED] === true) return false;
  proc[REGISTERED] = true;
  let closing = false;
  const onSignal = () => {
    // A second signal while flushing means "now".
    if (closing) proc.exit(1);
    closing = true;
    const deadline = Date.now() + (options.timeout ?? 10_000);
    // Next keeps serving until the process exits, and it gives us no server to close. So flush
    // first while calls are still accepted, then close: only calls made during that last, short
    // close are refused (and reported through onError), instead of everything during the flush.
    void client
      .flush({ timeout: deadline - Date.now() })
      .then(() => client.close({ timeout: Math.max(0, deadline - Date.now()) }))
      .finally(() => proc.exit(0));
  };
  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT']) proc.on(signal, onSignal);
  return true;
}
