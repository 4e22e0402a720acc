import type { FlushReport } from '../delivery/delivery.js';

/** What {@link registerShutdown} needs of a server: Node's `http.Server` and `https.Server` fit. */
export interface ClosableServer {
  close(callback?: (error?: Error) => void): unknown;
  closeIdleConnections?(): void;
  closeAllConnections?(): void;
}

/** What {@link registerShutdown} needs of a client: an `Analytics` or the default client. */
export interface ClosableClient {
  close(options?: { timeout?: number }): Promise<FlushReport>;
}

/** Options of {@link registerShutdown}. */
export interface ShutdownOptions {
  /** Signals that start the shutdown. Defaults to `['SIGTERM', 'SIGINT']`. */
  signals?: NodeJS.Signals[];
  /** Milliseconds allowed to deliver what the client holds (`client.close({ timeout })`). Defaults to 10000. */
  timeout?: number;
  /** Milliseconds allowed for in-flight requests to finish before their connections are cut. Defaults to `timeout`. */
  drainTimeout?: number;
  /** Exit the process (code 0) once done; a second signal meanwhile exits at once with code 1. Defaults to `true`. */
  exit?: boolean;
}

/** Milliseconds every adapter allows for delivery at shutdown, unless told otherwise. */
export const DEFAULT_SHUTDOWN_TIMEOUT = 10_000;

/**
 * Opt-in graceful shutdown. On the first of `signals`: stop accepting connections, let in-flight
 * requests finish (at most `drainTimeout`), deliver everything the client holds (at most
 * `timeout`), then exit with code 0. Listening for a signal replaces Node's default of exiting at
 * once, which is why this is opt-in. Returns the shutdown itself, to run it without a signal
 * (idempotent; it never exits the process and never rejects).
 *
 * @example
 * const server = app.listen(3000);
 * registerShutdown(server, analytics.client, { timeout: 5000 });
 */
export function registerShutdown(
  server: ClosableServer,
  client: ClosableClient,
  options: ShutdownOptions = {},
): () => Promise<FlushReport> {
  const timeout = options.timeout ?? DEFAULT_SHUTDOWN_TIMEOUT;
  const drainTimeout = options.drainTimeout ?? timeout;
  let running: Promise<FlushReport> | undefined;
  const shutdown = (): Promise<FlushReport> =>
    (running ??= closeServer(server, drainTimeout)
      .then(() => client.close({ timeout }))
      .catch(() => ({ delivered: 0, failed: 0, pending: 0 })));

  // Through globalThis: this module shares the kit with edge bundles, whose build rejects any
  // direct `process.on`/`process.exit`, even in code that never runs there.
  const proc = (globalThis as { process?: NodeJS.Process }).process;
  if (proc === undefined) return shutdown;
  const onSignal = (): void => {
    if (running !== undefined && options.exit !== false) proc.exit(1);
    void shutdown().then(() => {
      if (options.exit !== false) proc.exit(0);
    });
  };
  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT']) proc.on(signal, onSignal);
  return shutdown;
}

/** Resolves once the server is closed and its connections drained, or at the deadline, cutting what is left. */
function closeServer(server: ClosableServer, drainTimeout: number): Promise<void> {
  return new Promise((resolve) => {
    // Keep-alive connections that go idle after close() would otherwise stay open until the
    // client's keep-alive timeout; close them as they go idle.
    const sweep = setInterval(() => server.closeIdleConnections?.(), 50);
    const deadline = setTimeout(() => {
      server.closeAllConnections?.();
      done();
    }, drainTimeout);
    sweep.unref();
    deadline.unref();
    function done(): void {
      clearInterval(sweep);
      clearTimeout(deadline);
      resolve();
    }
    try {
      server.close(() => done());
      server.closeIdleConnections?.();
    } catch {
      done();
    }
  });
}
