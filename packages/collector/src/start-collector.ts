import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { readAuthorization } from './authorization.js';
import { CollectorError } from './collector-error.js';
import type { CollectorStats, RejectedRequest } from './collector-stats.js';
import { StatsCounter } from './collector-stats.js';
import { renderDebuggerPage } from './debugger-page.js';
import type { EventFilter, StoredEvent } from './event-store.js';
import { EventStore } from './event-store.js';
import { EventStream } from './event-stream.js';
import type { FaultController, FaultSpec, FaultTarget } from './fault-controller.js';
import { FaultState, validateFaultSpec } from './fault-controller.js';
import { delay, readBody, sendJson } from './http.js';
import type { IngestEndpoint, MessageProblem, RequestProblem } from './ingest.js';
import {
  checkMessage,
  ingestEndpoint,
  MAX_REQUEST_BYTES,
  oversizedMessage,
  parseBody,
  toNewEvent,
} from './ingest.js';
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
const MAX_REJECTIONS = 200;
const DEFAULT_API_LIMIT = 1000;

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

interface Waiter {
  count: number;
  filter: EventFilter;
  resolve: (events: StoredEvent[]) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

class Collector implements RunningCollector {
  readonly faults: FaultState;
  readonly #server: Server;
  readonly #store: EventStore;
  readonly #issuer: TokenIssuer;
  readonly #writeKeys: Set<string>;
  readonly #quiet: boolean;
  readonly #stats = new StatsCounter();
  readonly #stream = new EventStream();
  readonly #rejections: RejectedRequest[] = [];
  readonly #hanging = new Set<Socket>();
  readonly #waiters = new Set<Waiter>();
  #host = DEFAULT_HOST;
  #port = 0;
  #closing: Promise<void> | undefined;

  constructor(store: EventStore, issuer: TokenIssuer, options: CollectorOptions) {
    this.#store = store;
    this.#issuer = issuer;
    this.#writeKeys = new Set(options.writeKeys ?? []);
    this.#quiet = options.quiet ?? true;
    this.faults = new FaultState((down) => this.#setDown(down));
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
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
    return this.#rejections.slice();
  }

  waitForEvents(count: number, options: WaitForEventsOptions = {}): Promise<StoredEvent[]> {
    const { timeout = DEFAULT_WAIT_TIMEOUT, ...filter } = options;
    if (this.#closing !== undefined) {
      return Promise.reject(new CollectorError('CLOSED', 'The collector is closed.'));
    }
    if (this.#store.count(filter) >= count) return Promise.resolve(this.#store.query(filter));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        count,
        filter,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          const arrived = this.#store.count(filter);
          reject(
            new CollectorError(
              'TIMEOUT',
              `Waited ${timeout} ms for ${count} event(s)${describeFilter(filter)}; ${arrived} arrived.`,
            ),
          );
        }, timeout),
      };
      this.#waiters.add(waiter);
    });
  }

  reset(): void {
    this.#store.clear();
    this.#stats.reset();
    this.#rejections.length = 0;
    this.#stream.send('reset', this.stats());
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.faults.dispose();
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(
        new CollectorError('CLOSED', 'The collector closed before the events arrived.'),
      );
    }
    this.#waiters.clear();
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

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://collector');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const endpoint = ingestEndpoint(path);
    if (endpoint !== undefined || path === '/token') {
      // Segment's API answers browsers too (analytics.js posts cross-origin).
      res.setHeader('access-control-allow-origin', '*');
      if (method === 'OPTIONS') {
        res.writeHead(204, {
          'access-control-allow-methods': 'POST, OPTIONS',
          'access-control-allow-headers': 'authorization, content-type, content-encoding',
          'access-control-max-age': '86400',
        });
        res.end();
        return;
      }
      if (method !== 'POST') return this.#methodNotAllowed(res, 'POST');
      if (endpoint !== undefined) return this.#ingest(req, res, endpoint);
      return this.#token(req, res);
    }
    switch (path) {
      case '/':
      case '/index.html':
        if (method !== 'GET' && method !== 'HEAD') return this.#methodNotAllowed(res, 'GET');
        return this.#page(res);
      case '/api/events':
        if (method === 'DELETE') {
          this.reset();
          return sendJson(res, 200, { success: true });
        }
        if (method !== 'GET') return this.#methodNotAllowed(res, 'GET, DELETE');
        return this.#apiEvents(url, res);
      case '/api/stats':
        if (method !== 'GET') return this.#methodNotAllowed(res, 'GET');
        return sendJson(res, 200, this.stats());
      case '/api/rejections':
        if (method !== 'GET') return this.#methodNotAllowed(res, 'GET');
        return sendJson(res, 200, { rejections: this.rejections() });
      case '/api/stream':
        if (method !== 'GET') return this.#methodNotAllowed(res, 'GET');
        this.#stream.add(res);
        this.#stream.send('hello', { stats: this.stats() });
        return;
      case '/admin/faults':
        return this.#adminFaults(req, res, method);
      case '/health':
        return sendJson(res, 200, { ok: true });
      default:
        return sendJson(res, 404, {
          success: false,
          code: 'not_found',
          message: `No route for ${method} ${path}.`,
        });
    }
  }

  async #ingest(
    req: IncomingMessage,
    res: ServerResponse,
    endpoint: IngestEndpoint,
  ): Promise<void> {
    const receivedAt = new Date().toISOString();
    this.#stats.requests += 1;
    if (await this.#injectFault('ingest', req, res)) return;

    const auth = readAuthorization(req.headers.authorization);
    const enforced = this.#writeKeys.size > 0;
    let bearerOk = false;
    if (auth.kind === 'bearer' && (enforced || this.#issuer.enabled)) {
      const check = this.#issuer.check(auth.token);
      if (!check.ok) {
        await drain(req);
        const message =
          check.reason === 'expired_token'
            ? 'The bearer token has expired; get a new one from POST /token.'
            : 'The bearer token was not issued by this collector (POST /token).';
        return this.#reject(req, res, 401, check.reason, message, {
          'www-authenticate': `Bearer error="invalid_token"`,
        });
      }
      bearerOk = true;
    }

    const read = await readBody(req, MAX_REQUEST_BYTES);
    if ('aborted' in read) return;
    if (!('body' in read)) return this.#rejectProblem(req, res, read);
    let json: unknown;
    try {
      json = JSON.parse(read.body.toString('utf8'));
    } catch (error) {
      return this.#reject(
        req,
        res,
        400,
        'invalid_json',
        `The body is not valid JSON: ${(error as Error).message}`,
      );
    }
    const parsed = parseBody(endpoint, json);
    if ('status' in parsed) return this.#rejectProblem(req, res, parsed);

    const writeKey = auth.kind === 'basic' ? auth.writeKey : parsed.writeKey;
    if (enforced && !bearerOk && (writeKey === undefined || !this.#writeKeys.has(writeKey))) {
      const message =
        writeKey === undefined
          ? 'No write key: send Authorization: Basic base64("<writeKey>:"), a "writeKey" in the body, or a bearer token.'
          : `The write key "${mask(writeKey)}" is not one this collector accepts.`;
      return this.#reject(req, res, 401, 'unauthorized', message, {
        'www-authenticate': 'Basic realm="tributary-collector"',
      });
    }

    const oversized = oversizedMessage(parsed.messages);
    if (oversized !== undefined) return this.#rejectProblem(req, res, oversized);

    this.#stats.received += parsed.messages.length;
    const rejected: MessageProblem[] = [];
    const valid = [];
    for (const [index, message] of parsed.messages.entries()) {
      const problem = checkMessage(message);
      if (problem !== undefined) {
        rejected.push({ index, ...problem });
        StatsCounter.bump(this.#stats.invalid, problem.code);
      } else {
        valid.push(
          toNewEvent(message as Record<string, unknown>, {
            receivedAt,
            ...(writeKey !== undefined ? { writeKey } : {}),
            ...(parsed.sentAt !== undefined ? { sentAt: parsed.sentAt } : {}),
          }),
        );
      }
    }
    const { stored, duplicates } = this.#store.insert(valid);
    this.#stats.stored += stored.length;
    this.#stats.duplicates += duplicates.length;

    sendJson(res, 200, {
      success: true,
      ...(rejected.length > 0 ? { rejected } : {}),
      ...(duplicates.length > 0 ? { duplicates: duplicates.map((d) => d.messageId) } : {}),
    });
    this.#log(
      `${req.method} ${req.url} 200 stored ${stored.length}` +
        (duplicates.length > 0 ? `, ${duplicates.length} duplicate(s)` : '') +
        (rejected.length > 0
          ? `, ${rejected.length} invalid (${rejected.map((r) => r.code).join(', ')})`
          : ''),
    );
    for (const event of stored) this.#stream.send('event', forDisplay(event));
    if (rejected.length > 0) {
      this.#remember(
        req,
        200,
        'invalid_messages',
        rejected.map((r) => `#${r.index} ${r.code}: ${r.message}`).join('; '),
      );
    }
    this.#stream.send('stats', this.stats());
    if (stored.length > 0) this.#notifyWaiters();
  }

  async #token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (await this.#injectFault('token', req, res)) return;
    const read = await readBody(req, 64 * 1024);
    if ('aborted' in read) return;
    if (!('body' in read)) return this.#rejectProblem(req, res, read);
    const form = new URLSearchParams(read.body.toString('utf8'));
    const origins = new Set([this.url]);
    if (req.headers.host !== undefined) origins.add(`http://${req.headers.host}`);
    const audiences = [...origins].flatMap((o) => [o, `${o}/`, `${o}/token`]);
    const result = await this.#issuer.issue(form, audiences);
    if (result.status === 200) {
      this.#stats.tokensIssued += 1;
      this.#log(`POST /token 200 issued a token to ${result.clientId}`);
      return sendJson(res, 200, result.body, { 'cache-control': 'no-store', pragma: 'no-cache' });
    }
    this.#stats.rejectedRequests[result.body.error] =
      (this.#stats.rejectedRequests[result.body.error] ?? 0) + 1;
    this.#remember(req, result.status, result.body.error, result.body.error_description);
    this.#stream.send('stats', this.stats());
    sendJson(res, result.status, result.body, { 'cache-control': 'no-store' });
  }

  async #injectFault(
    target: FaultTarget,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<boolean> {
    const { latency, action } = this.faults.decide(target);
    if (latency > 0) await delay(latency);
    switch (action.kind) {
      case 'none':
        return false;
      case 'status': {
        await drain(req);
        StatsCounter.bump(this.#stats.faults, action.reason);
        const headers =
          action.retryAfter === undefined ? {} : { 'retry-after': String(action.retryAfter) };
        const message =
          `Injected fault (${action.reason}): ${action.status}` +
          (action.retryAfter === undefined ? '' : `, Retry-After ${action.retryAfter} s`);
        sendJson(res, action.status, { success: false, code: 'injected_fault', message }, headers);
        this.#remember(req, action.status, `fault:${action.reason}`, message);
        return true;
      }
      case 'reset':
        await drain(req);
        StatsCounter.bump(this.#stats.faults, 'reset');
        this.#remember(req, 0, 'fault:reset', 'Injected fault: connection reset');
        req.socket.resetAndDestroy();
        return true;
      case 'hang': {
        StatsCounter.bump(this.#stats.faults, 'hang');
        this.#remember(
          req,
          0,
          'fault:hang',
          'Injected fault: request held open until the client gives up',
        );
        const socket = req.socket;
        this.#hanging.add(socket);
        socket.once('close', () => this.#hanging.delete(socket));
        req.resume();
        return true;
      }
      default:
        return assertNever(action);
    }
  }

  #page(res: ServerResponse): void {
    const nonce = randomBytes(16).toString('base64');
    const html = renderDebuggerPage(nonce);
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(html),
      'cache-control': 'no-store',
      // Event content is rendered as text; the policy is a second line of defence.
      'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'`,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    res.end(html);
  }

  #apiEvents(url: URL, res: ServerResponse): void {
    const q = url.searchParams;
    const filter: EventFilter = {};
    for (const key of ['type', 'event', 'userId', 'anonymousId', 'messageId'] as const) {
      const value = q.get(key);
      if (value !== null && value !== '') filter[key] = value;
    }
    const since = q.get('since');
    if (since !== null && since !== '') {
      if (Number.isNaN(Date.parse(since))) {
        return sendJson(res, 400, {
          success: false,
          code: 'invalid_filter',
          message: `since must be an ISO 8601 time, got "${since}".`,
        });
      }
      filter.since = since;
    }
    const limit = q.get('limit');
    if (limit !== null && limit !== '') {
      const n = Number(limit);
      if (!Number.isInteger(n) || n < 0) {
        return sendJson(res, 400, {
          success: false,
          code: 'invalid_filter',
          message: `limit must be a whole number, got "${limit}".`,
        });
      }
      filter.limit = n;
    } else {
      filter.limit = DEFAULT_API_LIMIT;
    }
    const order = q.get('order');
    if (order === 'desc' || order === 'asc') filter.order = order;
    sendJson(res, 200, {
      events: this.#store.query(filter).map(forDisplay),
      total: this.#store.count(filter),
    });
  }

  async #adminFaults(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    if (method === 'GET') return sendJson(res, 200, { faults: this.faults.current() });
    if (method === 'DELETE') {
      await drain(req);
      sendJson(res, 200, { faults: {} });
      // Cleared after the answer is out: clearing `down` reopens the listener.
      this.faults.clear();
      this.#log('faults cleared');
      return;
    }
    if (method !== 'POST' && method !== 'PUT')
      return this.#methodNotAllowed(res, 'GET, POST, DELETE');
    const read = await readBody(req, 64 * 1024);
    if ('aborted' in read) return;
    if (!('body' in read))
      return sendJson(res, read.status, { success: false, code: read.code, message: read.message });
    let spec: FaultSpec;
    try {
      spec = validateFaultSpec(JSON.parse(read.body.toString('utf8') || '{}'));
    } catch (error) {
      const message =
        error instanceof SyntaxError
          ? `The body is not valid JSON: ${error.message}`
          : (error as Error).message;
      return sendJson(res, 400, { success: false, code: 'invalid_faults', message });
    }
    // Applied once the answer is written, so a `down` fault does not cut its own answer.
    res.once('finish', () => {
      if (this.#closing === undefined) this.faults.set(spec);
    });
    this.#log(`faults set: ${JSON.stringify(spec)}`);
    sendJson(res, 200, { faults: spec });
  }

  #rejectProblem(req: IncomingMessage, res: ServerResponse, problem: RequestProblem): void {
    this.#reject(req, res, problem.status, problem.code, problem.message);
  }

  #reject(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    code: string,
    message: string,
    headers: Record<string, string> = {},
  ): void {
    StatsCounter.bump(this.#stats.rejectedRequests, code);
    sendJson(res, status, { success: false, code, message }, headers);
    this.#log(`${req.method} ${req.url} ${status} ${code}: ${message}`);
    this.#remember(req, status, code, message);
    this.#stream.send('stats', this.stats());
  }

  #remember(req: IncomingMessage, status: number, reason: string, message: string): void {
    const rejection: RejectedRequest = {
      at: new Date().toISOString(),
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      status,
      reason,
      message,
    };
    this.#rejections.unshift(rejection);
    if (this.#rejections.length > MAX_REJECTIONS) this.#rejections.length = MAX_REJECTIONS;
    this.#stream.send('rejection', rejection);
  }

  #methodNotAllowed(res: ServerResponse, allow: string): void {
    sendJson(
      res,
      405,
      { success: false, code: 'method_not_allowed', message: `Use ${allow}.` },
      { allow },
    );
  }

  #notifyWaiters(): void {
    for (const waiter of this.#waiters) {
      if (this.#store.count(waiter.filter) >= waiter.count) {
        clearTimeout(waiter.timer);
        this.#waiters.delete(waiter);
        waiter.resolve(this.#store.query(waiter.filter));
      }
    }
  }

  #log(line: string): void {
    if (!this.#quiet) console.log(`${new Date().toISOString().slice(11, 19)} ${line}`);
  }
}

async function drain(req: IncomingMessage): Promise<void> {
  if (req.readableEnded) return;
  await readBody(req, 0);
}

/**
 * What leaves the collector over HTTP (the debugger page, `/api/events`): the write key is masked,
 * so a shared screen or a copied URL never shows it. `events()` in-process keeps the full key.
 */
function forDisplay(event: StoredEvent): StoredEvent {
  return event.writeKey === undefined ? event : { ...event, writeKey: mask(event.writeKey) };
}

function mask(writeKey: string): string {
  return writeKey.length <= 4 ? '****' : `${writeKey.slice(0, 4)}…`;
}

function describeFilter(filter: EventFilter): string {
  const parts = Object.entries(filter).filter(([, v]) => v !== undefined);
  return parts.length === 0
    ? ''
    : ` matching ${parts.map(([k, v]) => `${k}=${String(v)}`).join(', ')}`;
}

function assertNever(value: never): never {
  throw new Error(`Unexpected fault action ${JSON.stringify(value)}`);
}
