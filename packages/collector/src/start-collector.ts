import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { CollectorContext } from './collector-context.js';
import { CollectorError } from './collector-error.js';
import { routeRequest } from './collector-router.js';
import type { CollectorStats, RejectedRequest } from './collector-stats.js';
import { StatsCounter } from './collector-stats.js';
import type { EventFilter, StoredEvent } from './event-store.js';
import { EventStore } from './event-store.js';
import { EventStream } from './event-stream.js';
import { EventWaiters } from './event-waiters.js';
import type { FaultController, FaultSpec } from './fault-controller.js';
import { FaultState, validateFaultSpec } from './fault-controller.js';
import { sendJson } from './http.js';
import { RejectionLog } from './rejection-log.js';
import type { OAuthOptions } from './token-issuer.js';
import { TokenIssuer } from './token-issuer.js';

/** Options of {@link startCollector}. */
export interface CollectorOptions {
  /** TCP port; `0` picks a free one (read it back from `port` / `url`). Defaults to 0. */
  port?: number;
  /** Interface to listen on. Defaults to `127.0.0.1`. */
  host?: string;
  /** SQLite file that keeps events across restarts (its directory is created). Defaults to none: in memory (the CLI defaults to `.collector/events.db`). */
  db?: string;
  /** Keep events in memory only; wins over `db`. Defaults to `true` when `db` is not set. */
  memory?: boolean;
  /** Write keys to accept; when non-empty, any other key gets a 401. Defaults to `[]`: any key is accepted. */
  writeKeys?: string[];
  /** OAuth: the keys that verify client assertions at `POST /token`. Defaults to none: `/token` refuses every assertion. */
  oauth?: OAuthOptions;
  /** Faults in force from the start. Defaults to none. */
  faults?: FaultSpec;
  /** Print nothing. Defaults to `true` for `startCollector`; the CLI logs each request unless `--quiet`. */
  quiet?: boolean;
}

/** Options of {@link RunningCollector.waitForEvents}: a timeout, and the filters of `events()`. */
export interface WaitForEventsOptions extends Omit<EventFilter, 'limit' | 'order'> {
  /** Milliseconds to wait before rejecting with `CollectorError` `TIMEOUT`. Defaults to 5000. */
  timeout?: number;
}

/** A collector that is listening. */
export interface RunningCollector {
  /** Base URL, e.g. `http://127.0.0.1:4318`: the `host` for the core client. */
  readonly url: string;
  /** The port actually bound (useful with `port: 0`). */
  readonly port: number;
  /** Stops listening, ends streams and hanging requests, closes the database. Idempotent. */
  close(): Promise<void>;
  /** Stored events matching the filter, oldest first (unless `order: 'desc'`). */
  events(filter?: EventFilter): StoredEvent[];
  /** Counters since start (or `reset()`), and what the store holds by type. */
  stats(): CollectorStats;
  /** The last requests refused or answered by a fault, newest first (at most 200). */
  rejections(): RejectedRequest[];
  /**
   * Resolves with the matching events once at least `count` are stored; rejects with
   * `CollectorError` `TIMEOUT` (saying how many arrived) after `timeout` ms.
   */
  waitForEvents(count: number, options?: WaitForEventsOptions): Promise<StoredEvent[]>;
  /** Runtime fault injection: the same as `POST /admin/faults` and `DELETE /admin/faults`. */
  readonly faults: FaultController;
  /** Deletes every stored event, counter and listed rejection (faults stay; see `faults.clear()`). */
  reset(): void;
}

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_WAIT_TIMEOUT = 5000;

/**
 * Starts a local Segment-compatible collector: ingestion endpoints, SQLite storage, OAuth token
 * endpoint, fault injection and the live debugger page at `/`.
 * @example
 * const collector = await startCollector({ port: 0 });
 * const analytics = new Analytics({ writeKey: 'test', host: collector.url });
 * analytics.track('user-1', 'Signed Up');
 * await analytics.flush();
 * const [event] = await collector.waitForEvents(1);
 * await collector.close();
 */
export async function startCollector(options: CollectorOptions = {}): Promise<RunningCollector> {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CollectorError(
      'INVALID_OPTIONS',
      `port must be a whole number from 0 to 65535, got ${port}.`,
    );
  }
  const faults = options.faults === undefined ? {} : validateFaultSpec(options.faults);
  const issuer = await TokenIssuer.create(options.oauth);
  const memory = options.memory ?? options.db === undefined;
  const store = new EventStore(memory || options.db === undefined ? ':memory:' : options.db);
  const collector = new Collector(store, issuer, options);
  try {
    await collector.listen(options.host ?? DEFAULT_HOST, port);
  } catch (error) {
    store.close();
    throw error;
  }
  collector.faults.set(faults);
  return collector;
}

/**
 * A listening collector: its state, its server and its lifecycle. The routes live beside it
 * (`collector-router.ts` and the `*-route.ts` modules) and reach its state through a
 * {@link CollectorContext}.
 */
class Collector implements RunningCollector {
  readonly faults: FaultState;
  readonly #server: Server;
  readonly #store: EventStore;
  readonly #quiet: boolean;
  readonly #stats = new StatsCounter();
  readonly #stream = new EventStream();
  readonly #rejections = new RejectionLog(this.#stream);
  readonly #hanging = new Set<Socket>();
  readonly #waiters: EventWaiters;
  readonly #context: CollectorContext;
  #host = DEFAULT_HOST;
  #port = 0;
  #closing: Promise<void> | undefined;

  constructor(store: EventStore, issuer: TokenIssuer, options: CollectorOptions) {
    this.#store = store;
    this.#quiet = options.quiet ?? true;
    this.#waiters = new EventWaiters(store);
    this.faults = new FaultState((down) => this.#setDown(down));
    const url = () => this.url;
    const closing = () => this.#closing !== undefined;
    this.#context = {
      get url() {
        return url();
      },
      get closing() {
        return closing();
      },
      store,
      counters: this.#stats,
      stream: this.#stream,
      issuer,
      writeKeys: new Set(options.writeKeys ?? []),
      faults: this.faults,
      rejectionLog: this.#rejections,
      hanging: this.#hanging,
      snapshot: () => this.stats(),
      reset: () => this.reset(),
      eventsStored: () => this.#waiters.notify(),
      log: (line) => this.#log(line),
    };
    this.#server = createServer((req, res) => {
      routeRequest(this.#context, req, res).catch((error: unknown) => {
        this.#log(`error handling ${req.method} ${req.url}: ${String(error)}`);
        sendJson(res, 500, { success: false, code: 'internal_error', message: String(error) });
      });
    });
    this.#server.on('error', (error) => this.#log(`server error: ${error.message}`));
  }

  get url(): string {
    const host = this.#host.includes(':') ? `[${this.#host}]` : this.#host;
    return `http://${host}:${this.#port}`;
  }

  get port(): number {
    return this.#port;
  }

  async listen(host: string, port: number): Promise<void> {
    this.#host = host;
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE') {
          reject(
            new CollectorError(
              'PORT_IN_USE',
              `Port ${port} on ${host} is already in use. Stop the other process, choose another port, or use port 0 for a free one.`,
              { cause: error },
            ),
          );
        } else {
          reject(
            new CollectorError(
              'LISTEN_FAILED',
              `Cannot listen on ${host}:${port}: ${error.message}`,
              { cause: error },
            ),
          );
        }
      };
      this.#server.once('error', onError);
      this.#server.listen(port, host, () => {
        this.#server.off('error', onError);
        resolve();
      });
    });
    const address = this.#server.address();
    this.#port = typeof address === 'object' && address !== null ? address.port : port;
  }

  events(filter: EventFilter = {}): StoredEvent[] {
    return this.#store.query(filter);
  }

  stats(): CollectorStats {
    return this.#stats.snapshot({ byType: this.#store.countByType(), total: this.#store.count() });
  }

  rejections(): RejectedRequest[] {
    return this.#rejections.list();
  }

  waitForEvents(count: number, options: WaitForEventsOptions = {}): Promise<StoredEvent[]> {
    const { timeout = DEFAULT_WAIT_TIMEOUT, ...filter } = options;
    if (this.#closing !== undefined) {
      return Promise.reject(new CollectorError('CLOSED', 'The collector is closed.'));
    }
    return this.#waiters.wait(count, filter, timeout);
  }

  reset(): void {
    this.#store.clear();
    this.#stats.reset();
    this.#rejections.clear();
    this.#stream.send('reset', this.stats());
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.faults.dispose();
    this.#waiters.close();
    this.#stream.close();
    for (const socket of this.#hanging) socket.destroy();
    this.#hanging.clear();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
    this.#store.close();
  }

  #setDown(down: boolean): void {
    if (this.#closing !== undefined) return;
    if (down) {
      this.#log('fault: down, refusing connections');
      this.#server.close();
      this.#server.closeAllConnections();
      for (const socket of this.#hanging) socket.destroy();
      this.#hanging.clear();
    } else if (!this.#server.listening) {
      this.#server.listen(this.#port, this.#host, () => this.#log('fault: up again, listening'));
    }
  }

  #log(line: string): void {
    if (!this.#quiet) console.log(`${new Date().toISOString().slice(11, 19)} ${line}`);
  }
}
