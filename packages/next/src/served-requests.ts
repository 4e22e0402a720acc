import type * as DiagnosticsChannel from 'node:diagnostics_channel';
import type { Server, ServerResponse } from 'node:http';
import { nodeBuiltin } from './node-builtin.js';

/**
 * What Node's HTTP servers in this process are serving, seen through `diagnostics_channel`
 * (`http.server.request.start`): Next.js hands no server to the app, but every request names it.
 */
export interface ServedRequests {
  /** Requests started and not yet answered (or cut). */
  readonly inFlight: number;
  /** Whether a request has come through one of this process's servers since the first call. */
  readonly serving: boolean;
  /**
   * Stops taking new work: closes the servers' listeners and idle keep-alive connections, and
   * answers every request still being served (and any that still arrives on an open connection)
   * with `Connection: close`, so no client reuses a connection that is about to end.
   */
  stopAccepting(): void;
  /** Resolves `true` once no request is in flight, or `false` at `deadline` (epoch ms). */
  whenIdle(deadline: number): Promise<boolean>;
  /**
   * Runs `hook` (given the time `close()` was called) when a server's `close()` has finished (its
   * requests answered), before the
   * `close()` caller's callback: how the app delays Next.js's own SIGTERM handling, which
   * awaits `server.close()` and then exits.
   */
  beforeCloseCallback(hook: (closedAt: number) => Promise<unknown>): void;
}

const TRACKER = Symbol.for('tributary.next.served-requests');
type Globals = typeof globalThis & { [TRACKER]?: ServedRequests };
type CloseCallback = (error?: Error) => void;

/**
 * The process-wide tracker, subscribed on first use; `undefined` on the edge runtime. Requests
 * that started before the first call are not counted.
 */
export function servedRequests(): ServedRequests | undefined {
  const g = globalThis as Globals;
  if (g[TRACKER] !== undefined) return g[TRACKER];
  const channels = nodeBuiltin<typeof DiagnosticsChannel>('node:diagnostics_channel');
  if (channels === undefined) return undefined;
  const tracker = createTracker();
  channels.subscribe('http.server.request.start', (message) => {
    const { response, server } = message as { response: ServerResponse; server: Server };
    tracker.started(server, response);
  });
  return (g[TRACKER] = tracker);
}

function createTracker(): ServedRequests & {
  started(server: Server, response: ServerResponse): void;
} {
  const servers = new Set<Server>();
  // Each response in flight, with its server: one shared `close` listener per response, no
  // closures.
  const inFlight = new Map<ServerResponse, Server>();
  const hooks: ((closedAt: number) => Promise<unknown>)[] = [];
  const idleWaiters = new Set<() => void>();
  let stopping = false;

  const closeConnection = (response: ServerResponse) => {
    // Before the headers go out this turns the response into `Connection: close`, and Node ends
    // the connection once it is sent; after, the connection goes idle and is closed below.
    if (!response.headersSent) response.shouldKeepAlive = false;
  };

  const hold = (server: Server) => {
    const close = server.close.bind(server);
    // Patched on this one instance only: the caller (Next.js's SIGTERM handler) awaits this
    // callback and exits right after it, so this is the one place to deliver before the exit.
    server.close = (callback?: CloseCallback) => {
      const closedAt = Date.now();
      stop();
      return close((error?: Error) => {
        void Promise.allSettled(hooks.map((hook) => hook(closedAt))).finally(() =>
          callback?.(error),
        );
      });
    };
  };

  const stop = () => {
    stopping = true;
    for (const response of inFlight.keys()) closeConnection(response);
  };

  function done(this: ServerResponse): void {
    const server = inFlight.get(this);
    if (server === undefined) return;
    inFlight.delete(this);
    if (stopping) setImmediate(() => server.closeIdleConnections());
    if (inFlight.size === 0) for (const wake of idleWaiters) wake();
  }

  return {
    get inFlight() {
      return inFlight.size;
    },
    get serving() {
      return servers.size > 0;
    },
    started(server, response) {
      if (!servers.has(server)) {
        servers.add(server);
        hold(server);
      }
      inFlight.set(response, server);
      if (stopping) closeConnection(response);
      // 'close' alone: a response emits it after 'finish' and when its connection is cut before
      // it finished, so one listener per request sees both (issue #20).
      response.on('close', done);
    },
    stopAccepting() {
      stop();
      for (const server of servers) {
        server.close(() => {});
        server.closeIdleConnections();
      }
    },
    whenIdle(deadline) {
      if (inFlight.size === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          idleWaiters.delete(wake);
          resolve(inFlight.size === 0);
        };
        const timer = setTimeout(wake, Math.max(0, deadline - Date.now()));
        idleWaiters.add(wake);
      });
    },
    beforeCloseCallback(hook) {
      hooks.push(hook);
    },
  };
}
