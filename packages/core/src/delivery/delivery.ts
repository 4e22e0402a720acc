import { AnalyticsError, DeliveryError } from '../errors.js';
import { unref } from '../timers.js';
import type { Outbox, OutboxRef, RecoveredEntry } from '../outbox/outbox.js';
import { MAX_BATCH_BYTES, type ResolvedOptions } from '../options.js';
import { BatchSender, type BatchSenderDeps, type Outcome } from './batch-sender.js';
import { count, type DropReason } from './stats.js';

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

export interface DeliveryDeps extends BatchSenderDeps {
  /** Reports undelivered messages to `onError` (with their wire JSON) and the logger. */
  report: (error: AnalyticsError, jsons: string[]) => void;
  /** Keeps messages until settled; its earlier processes' leftovers are delivered first. */
  outbox?: Outbox | undefined;
}

/**
 * The delivery engine: a bounded queue of serialized messages, cut into batches by count, bytes
 * and time, with bounded concurrency and flush accounting; a {@link BatchSender} sends each
 * batch. It never throws to callers.
 */
export class Delivery {
  readonly #deps: DeliveryDeps;
  readonly #opts: ResolvedOptions;
  readonly #envelopeBytes: number;
  readonly #sender: BatchSender;

  #queue: QueuedMessage[] = [];
  #head = 0;
  #queuedBytes = 0;
  #inFlightBytes = 0;
  #lastSeq = 0;
  #drainUpTo = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
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
    this.#sender = new BatchSender(deps);
    this.#envelopeBytes = this.#sender.envelopeBytes;
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
    this.#sender.abort(
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
      const wait = this.#sender.pausedUntil - Date.now();
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
      outcome = await this.#sender.send(batch.map((m) => m.json));
    } catch (error) {
      outcome = {
        ok: false,
        error: new AnalyticsError('INTERNAL', 'unexpected delivery failure', { cause: error }),
      };
    }
    this.#settle(batch, outcome, true);
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
    if (!this.#sender.aborted) this.#pump();
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
}

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
