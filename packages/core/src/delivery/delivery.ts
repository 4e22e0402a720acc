import { AnalyticsError, DeliveryError, describeError } from '../errors.js';
import { timeoutSignal, unref, untilAborted } from '../timers.js';
import type { TokenProvider } from '../auth/token-provider.js';
import type { Logger } from '../logger.js';
import type { Outbox, OutboxRef, RecoveredEntry } from '../outbox/outbox.js';
import { MAX_BATCH_BYTES, type ResolvedOptions } from '../options.js';
import type { Runtime } from '../runtime/runtime.js';
import { backoffDelay, isRetriableStatus, parseRetryAfter } from './retry-policy.js';
import { count, type AnalyticsStats, type DropReason } from './stats.js';
import type { Transport } from './transport.js';
import { VERSION } from '../version.js';

/** A message serialized once at call time: the bytes measured then are the bytes sent. */
export interface QueuedMessage {
  /** Acceptance order, used by `flush()` to know what it waits for. */
  seq: number;
  json: string;
  bytes: number;
  /** Where the outbox keeps it, when there is one. */
  ref: OutboxRef;
  /** The call's callback: told once, when the message is delivered or has failed. */
  done?: ((error: AnalyticsError | undefined) => void) | undefined;
}

/** What a flush (or close) saw happen to the messages it waited for. */
export interface FlushReport {
  /** Acknowledged by the API. */
  delivered: number;
  /** Reported through `onError`. */
  failed: number;
  /** Neither, when the timeout elapsed; they stay queued (after `flush`) or are reported (after `close`). */
  pending: number;
}

interface FlushWaiter {
  from: number;
  upTo: number;
  remaining: number;
  delivered: number;
  failed: number;
  resolve: (report: FlushReport) => void;
}

type Outcome = { ok: true } | { ok: false; error: AnalyticsError };

export interface DeliveryDeps {
  options: ResolvedOptions;
  runtime: Runtime;
  transport: Transport;
  logger: Logger;
  stats: AnalyticsStats;
  tokens: TokenProvider | undefined;
  /** Reports undelivered messages to `onError` (with their wire JSON) and the logger. */
  report: (error: AnalyticsError, jsons: string[]) => void;
  /** Keeps messages until settled; its earlier processes' leftovers are delivered first. */
  outbox?: Outbox | undefined;
}

/**
 * The delivery engine: a bounded queue of serialized messages, sent in batches by count, bytes
 * and time, with bounded concurrency, retries and flush accounting. It never throws to callers.
 */
export class Delivery {
  readonly #deps: DeliveryDeps;
  readonly #opts: ResolvedOptions;
  readonly #envelopeBytes: number;
  readonly #writeKeyJson: string;
  readonly #basicAuth: string;
  readonly #abort = new AbortController();

  #queue: QueuedMessage[] = [];
  #head = 0;
  #queuedBytes = 0;
  #inFlightBytes = 0;
  #lastSeq = 0;
  #drainUpTo = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #pausedUntil = 0;
  #pauseTimer: ReturnType<typeof setTimeout> | undefined;
  #waiters: FlushWaiter[] = [];
  #keepAlive: ReturnType<typeof setInterval> | undefined;
  #settled: Promise<void> = Promise.resolve();
  #settleInFlight: (() => void) | undefined;
  readonly #outbox: Outbox | undefined;
  #recovering: Promise<void> | undefined;
  #recovered: [from: number, upTo: number] | undefined;

  constructor(deps: DeliveryDeps) {
    this.#deps = deps;
    this.#opts = deps.options;
    this.#writeKeyJson = JSON.stringify(this.#opts.writeKey);
    this.#basicAuth = `Basic ${deps.runtime.base64(`${this.#opts.writeKey}:`)}`;
    // {"batch":[…],"writeKey":"…","sentAt":"2026-01-01T00:00:00.000Z"}
    this.#envelopeBytes =
      '{"batch":[],"writeKey":,"sentAt":""}'.length +
      deps.runtime.byteLength(this.#writeKeyJson) +
      24;
    this.#outbox = deps.outbox;
    this.#recovering = this.#outbox
      ?.recover((entries) => this.#adopt(entries))
      .catch(() => undefined)
      .finally(() => (this.#recovering = undefined));
  }

  /** Messages held: queued plus in flight. */
  get held(): number {
    return this.#queue.length - this.#head + this.#deps.stats.inFlightMessages;
  }

  /** Serialized bytes held, queued plus in flight: the sum of each held message's own bytes. */
  get heldBytes(): number {
    return this.#queuedBytes + this.#inFlightBytes;
  }

  /** Whether a message of `bytes` fits under `maxQueueSize` and `maxQueueBytes`. */
  hasRoom(bytes: number): boolean {
    return (
      this.held < this.#opts.maxQueueSize && this.heldBytes + bytes <= this.#opts.maxQueueBytes
    );
  }

  enqueue(json: string, bytes: number, done?: QueuedMessage['done']): void {
    const seq = ++this.#lastSeq;
    this.#queue.push({ seq, json, bytes, ref: this.#outbox?.append(json), done });
    this.#queuedBytes += bytes;
    this.#deps.stats.queued++;
    if (this.#opts.syncMode) this.#drainUpTo = seq;
    this.#pump();
  }

  /** Resolves once everything accepted before the call is delivered or reported, or `timeout` elapses. */
  flush(timeout?: number): Promise<FlushReport> {
    const report = this.#waitFor(0, this.#lastSeq, this.held, timeout);
    if (this.#recovering === undefined) return report;
    // What an earlier process left in the outbox counts as accepted before any call: once it is
    // queued (one contiguous range, all still held when recovery resolves), wait for it too.
    const started = Date.now();
    const recovered = this.#recovering.then(() => {
      const range = this.#recovered;
      const left = timeout === undefined ? undefined : timeout - (Date.now() - started);
      return range === undefined
        ? emptyReport()
        : this.#waitFor(range[0], range[1], range[1] - range[0] + 1, left);
    });
    return Promise.all([report, recovered]).then(([a, b]) => ({
      delivered: a.delivered + b.delivered,
      failed: a.failed + b.failed,
      pending: a.pending + b.pending,
    }));
  }

  #waitFor(
    from: number,
    upTo: number,
    remaining: number,
    timeout: number | undefined,
  ): Promise<FlushReport> {
    if (remaining === 0) return Promise.resolve(emptyReport());
    this.#drainUpTo = Math.max(this.#drainUpTo, upTo);
    const promise = new Promise<FlushReport>((resolve) => {
      const waiter: FlushWaiter = { from, upTo, remaining, delivered: 0, failed: 0, resolve };
      this.#waiters.push(waiter);
      if (timeout !== undefined && Number.isFinite(timeout)) {
        const timer = setTimeout(() => this.#finish(waiter), Math.max(0, timeout));
        waiter.resolve = (report) => {
          clearTimeout(timer);
          resolve(report);
        };
      }
    });
    this.#holdProcess();
    this.#pump();
    return promise;
  }

  /**
   * Gives up on everything not yet delivered: aborts requests and backoff waits, reports every
   * held message through `onError` with `reason`, and resolves once all of it is settled.
   */
  async abandon(reason: 'FLUSH_TIMEOUT' | 'CLIENT_CLOSED'): Promise<number> {
    const leftover = this.#queue.slice(this.#head);
    this.#queue = [];
    this.#head = 0;
    this.#queuedBytes = 0;
    this.#deps.stats.queued = 0;
    if (leftover.length > 0) {
      this.#settle(
        leftover,
        {
          ok: false,
          error: new DeliveryError(
            reason,
            `${leftover.length} message(s) were never sent: the client closed before they could be delivered`,
            {
              attempts: 0,
              retriable: true,
            },
          ),
        },
        false,
      );
    }
    const inFlight = this.#deps.stats.inFlightMessages;
    this.#abort.abort(
      new DeliveryError(reason, 'the client closed', { attempts: 0, retriable: true }),
    );
    await this.#settled;
    return leftover.length + inFlight;
  }

  /** Writes what the outbox buffered and releases it; after `stop`. */
  async release(): Promise<void> {
    await this.#recovering;
    await this.#outbox?.close();
  }

  /** Queues messages an earlier process left in the outbox; they may exceed `maxQueueSize`. */
  #adopt(entries: RecoveredEntry[]): void {
    if (this.#recovering !== undefined)
      this.#recovered = [this.#lastSeq + 1, this.#lastSeq + entries.length];
    for (const { json, ref } of entries) {
      const bytes = this.#deps.runtime.byteLength(json);
      this.#queue.push({ seq: ++this.#lastSeq, json, bytes, ref });
      this.#queuedBytes += bytes;
      this.#deps.stats.queued++;
    }
    this.#drainUpTo = this.#lastSeq;
    this.#pump();
  }

  /** Stops timers; after `abandon` nothing is held. */
  stop(): void {
    clearTimeout(this.#timer);
    clearTimeout(this.#pauseTimer);
    this.#timer = undefined;
    this.#releaseProcess();
  }

  #pump(): void {
    const opts = this.#opts;
    while (
      this.#deps.stats.inFlightRequests < opts.maxConcurrentRequests &&
      this.#head < this.#queue.length
    ) {
      const due =
        this.#queue.length - this.#head >= opts.flushAt ||
        this.#queue[this.#head]!.seq <= this.#drainUpTo;
      if (!due) break;
      const wait = this.#pausedUntil - Date.now();
      if (wait > 0) {
        this.#pauseTimer ??= unref(
          setTimeout(() => {
            this.#pauseTimer = undefined;
            this.#pump();
          }, wait),
        );
        return;
      }
      void this.#deliver(this.#takeBatch());
    }
    if (this.#head < this.#queue.length && this.#timer === undefined) {
      this.#timer = unref(
        setTimeout(() => {
          this.#timer = undefined;
          this.#drainUpTo = this.#lastSeq;
          this.#pump();
        }, opts.flushInterval),
      );
    }
  }

  #takeBatch(): QueuedMessage[] {
    const limit = this.#opts.syncMode ? 1 : this.#opts.flushAt;
    let bytes = this.#envelopeBytes;
    const start = this.#head;
    let end = start;
    while (end < this.#queue.length && end - start < limit) {
      const next = bytes + this.#queue[end]!.bytes + (end > start ? 1 : 0);
      if (next > MAX_BATCH_BYTES && end > start) break;
      bytes = next;
      end++;
    }
    const batch = this.#queue.slice(start, end);
    this.#head = end;
    // Compact now and then so the array does not grow without bound.
    if (this.#head > 4096 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    // What a batch moves is the sum its messages added at enqueue, separators and envelope aside:
    // anything else drifts with every batch and loosens the bound with uptime (#16).
    const held = heldBytesOf(batch);
    this.#queuedBytes -= held;
    this.#inFlightBytes += held;
    const stats = this.#deps.stats;
    stats.queued -= batch.length;
    stats.inFlightMessages += batch.length;
    stats.inFlightRequests++;
    if (stats.inFlightRequests === 1) {
      this.#settled = new Promise((resolve) => (this.#settleInFlight = resolve));
    }
    return batch;
  }

  async #deliver(batch: QueuedMessage[]): Promise<void> {
    let outcome: Outcome;
    try {
      outcome = await this.#attempts(batch);
    } catch (error) {
      outcome = {
        ok: false,
        error: new AnalyticsError('INTERNAL', 'unexpected delivery failure', { cause: error }),
      };
    }
    this.#settle(batch, outcome, true);
  }

  async #attempts(batch: QueuedMessage[]): Promise<Outcome> {
    const { options: opts, runtime, transport, logger, stats, tokens } = this.#deps;
    const inner = batch.map((m) => m.json).join(',');
    let attempts = 0;
    let retries = 0;
    let rateLimitWaits = 0;
    let reauthorized = false;
    for (;;) {
      if (this.#abort.signal.aborted) return { ok: false, error: this.#abortReason(attempts) };
      // A rate limit seen by any batch holds back this one's retries too.
      const paused = this.#pausedUntil - Date.now();
      if (attempts > 0 && paused > 0) {
        await this.#sleep(paused);
        continue;
      }
      attempts++;
      let failure: DeliveryError;
      const deadline = timeoutSignal(
        this.#abort.signal,
        opts.timeout,
        () =>
          new DeliveryError('TIMEOUT', `timed out after ${opts.timeout} ms`, {
            attempts: 0,
            retriable: true,
          }),
      );
      let token: string | undefined;
      try {
        // Every await of an attempt ends at its deadline, whatever the awaited code does with the
        // signal: a transport that never settles must not hold flush() or close() (#16).
        token =
          tokens === undefined
            ? undefined
            : await untilAborted(tokens.getToken(deadline.signal), deadline.signal);
        const body = `{"batch":[${inner}],"writeKey":${this.#writeKeyJson},"sentAt":"${new Date().toISOString()}"}`;
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          authorization: token === undefined ? this.#basicAuth : `Bearer ${token}`,
          'user-agent': USER_AGENT,
        };
        let payload: string | Uint8Array = body;
        if (opts.gzip && runtime.gzip !== undefined) {
          payload = await untilAborted(runtime.gzip(body), deadline.signal);
          headers['content-encoding'] = 'gzip';
        }
        if (attempts > 1) headers['x-retry-count'] = String(attempts - 1);
        logger.debug(`sending ${batch.length} message(s), attempt ${attempts}`);
        const response = await untilAborted(
          transport({
            url: opts.url,
            method: 'POST',
            headers,
            body: payload,
            signal: deadline.signal,
          }),
          deadline.signal,
        );
        stats.bytesSent +=
          typeof payload === 'string' ? runtime.byteLength(payload) : payload.byteLength;
        const status = response.status;
        if (status >= 200 && status < 300) {
          logger.debug(`delivered ${batch.length} message(s) (HTTP ${status})`);
          return { ok: true };
        }
        if ((status === 401 || status === 403) && token !== undefined && !reauthorized) {
          // The token may have been revoked or expired early: one more try with a fresh one.
          tokens!.invalidate(token);
          reauthorized = true;
          continue;
        }
        const retriable = isRetriableStatus(status);
        failure = new DeliveryError(
          'HTTP_ERROR',
          `the API answered HTTP ${status}${describeRedirect(status, response.headers.location)}${describeBody(response.body)}`,
          {
            status,
            attempts,
            retriable,
          },
        );
        if (!retriable) return { ok: false, error: failure };
        const retryAfter =
          status === 429 || status === 503
            ? parseRetryAfter(response.headers['retry-after'])
            : undefined;
        if (retryAfter !== undefined && rateLimitWaits < opts.maxRetries + 20) {
          // Rate limited: pause the whole pipeline, and do not spend a counted retry.
          rateLimitWaits++;
          stats.retries++;
          logger.warn(`rate limited (HTTP ${status}); pausing delivery for ${retryAfter} ms`);
          this.#pausedUntil = Math.max(this.#pausedUntil, Date.now() + retryAfter);
          await this.#sleep(retryAfter);
          continue;
        }
      } catch (error) {
        if (error instanceof AnalyticsError && error.code === 'AUTH_FAILED')
          return { ok: false, error };
        if (this.#abort.signal.aborted) return { ok: false, error: this.#abortReason(attempts) };
        failure = deadline.timedOut
          ? new DeliveryError('TIMEOUT', `the request timed out after ${opts.timeout} ms`, {
              attempts,
              retriable: true,
            })
          : new DeliveryError('NETWORK_ERROR', `the request failed: ${describeError(error)}`, {
              attempts,
              retriable: true,
              cause: error,
            });
      } finally {
        deadline.clear();
      }
      if (retries >= opts.maxRetries) {
        return {
          ok: false,
          error: new DeliveryError(
            failure.code as 'HTTP_ERROR',
            `${failure.message}; gave up after ${attempts} attempt(s)`,
            {
              status: failure.status,
              attempts,
              retriable: failure.retriable,
              cause: failure.cause,
            },
          ),
        };
      }
      const delay = backoffDelay(retries, opts.retryBaseDelay, opts.retryMaxDelay);
      retries++;
      stats.retries++;
      logger.debug(`${failure.message}; retry ${retries} of ${opts.maxRetries} in ${delay} ms`);
      await this.#sleep(delay);
    }
  }

  #abortReason(attempts: number): AnalyticsError {
    const reason: unknown = this.#abort.signal.reason;
    const code =
      reason instanceof AnalyticsError && reason.code === 'FLUSH_TIMEOUT'
        ? 'FLUSH_TIMEOUT'
        : 'CLIENT_CLOSED';
    return new DeliveryError(code, 'the client closed before the batch was delivered', {
      attempts,
      retriable: true,
    });
  }

  #settle(batch: QueuedMessage[], outcome: Outcome, inFlight: boolean): void {
    const stats = this.#deps.stats;
    if (inFlight) {
      this.#inFlightBytes -= heldBytesOf(batch);
      stats.inFlightMessages -= batch.length;
      stats.inFlightRequests--;
    }
    // Abandoned by close(): an outbox keeps it for the next process. Anything else is settled.
    const kept =
      this.#outbox !== undefined &&
      !outcome.ok &&
      (outcome.error.code === 'FLUSH_TIMEOUT' || outcome.error.code === 'CLIENT_CLOSED');
    if (this.#outbox !== undefined && !kept) this.#outbox.ack(batch.map((m) => m.ref));
    let error: AnalyticsError | undefined;
    if (outcome.ok) {
      stats.delivered += batch.length;
      stats.batches++;
    } else {
      count(stats.dropped, outcome.error.code as DropReason, batch.length);
      error = kept ? keptInOutbox(outcome.error) : outcome.error;
      this.#deps.report(
        error,
        batch.map((m) => m.json),
      );
    }
    for (const m of batch) m.done?.(error);
    if (this.#waiters.length > 0) this.#account(batch, outcome.ok);
    if (stats.inFlightRequests === 0) this.#settleInFlight?.();
    if (!this.#abort.signal.aborted) this.#pump();
  }

  #account(batch: QueuedMessage[], ok: boolean): void {
    for (const waiter of [...this.#waiters]) {
      let n = 0;
      for (const m of batch) if (m.seq <= waiter.upTo && m.seq >= waiter.from) n++;
      if (n === 0) continue;
      waiter.remaining -= n;
      if (ok) waiter.delivered += n;
      else waiter.failed += n;
      if (waiter.remaining <= 0) this.#finish(waiter);
    }
  }

  #finish(waiter: FlushWaiter): void {
    const index = this.#waiters.indexOf(waiter);
    if (index === -1) return;
    this.#waiters.splice(index, 1);
    if (this.#waiters.length === 0) this.#releaseProcess();
    waiter.resolve({
      delivered: waiter.delivered,
      failed: waiter.failed,
      pending: Math.max(0, waiter.remaining),
    });
  }

  /** While someone awaits a flush, keep the event loop alive (all other timers are unref'd). */
  #holdProcess(): void {
    this.#keepAlive ??= setInterval(() => undefined, 1 << 30);
  }

  #releaseProcess(): void {
    clearInterval(this.#keepAlive);
    this.#keepAlive = undefined;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.#abort.signal;
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = unref(setTimeout(done, ms));
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

const USER_AGENT = `tributary-node/${VERSION}`;

function heldBytesOf(batch: QueuedMessage[]): number {
  let bytes = 0;
  for (const m of batch) bytes += m.bytes;
  return bytes;
}
const emptyReport = (): FlushReport => ({ delivered: 0, failed: 0, pending: 0 });

function keptInOutbox(error: AnalyticsError): AnalyticsError {
  return new DeliveryError(
    error.code as 'FLUSH_TIMEOUT',
    `${error.message}; kept in the outbox: the next process that opens it delivers them`,
    {
      attempts: error instanceof DeliveryError ? error.attempts : 0,
      retriable: true,
      cause: error.cause,
    },
  );
}

/** A 3xx is final: following it would post the batch to a host nobody configured. */
function describeRedirect(status: number, location: string | undefined): string {
  if (status < 300 || status > 399) return '';
  const target = location === undefined ? '' : ` to ${location}`;
  return `, a redirect${target}; redirects are not followed: set "host" to the final URL`;
}

function describeBody(body: string): string {
  const text = body.trim();
  if (text === '') return '';
  return `: ${text.length > 300 ? `${text.slice(0, 300)}…` : text}`;
}
