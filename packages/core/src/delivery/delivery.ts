import { AnalyticsError, DeliveryError } from '../errors.js';
import { unref } from '../timers.js';
import type { Outbox, OutboxRef, RecoveredEntry } from '../outbox/outbox.js';
import { MAX_BATCH_BYTES, type ResolvedOptions } from '../options.js';
import { BatchBody, type BatchBodyShape } from './batch-body.js';
import { BatchSender, type BatchSenderDeps, type Outcome } from './batch-sender.js';
import { count as countDrop, type DropReason } from './stats.js';

/** The call's callback: told once, when the message is delivered or has failed. */
export type MessageCallback = (error: AnalyticsError | undefined) => void;

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
  /** When this flush gives up (epoch milliseconds), if it has a timeout. */
  deadline: number | undefined;
  resolve: (report: FlushReport) => void;
}

export interface DeliveryDeps extends BatchSenderDeps {
  /** Reports undelivered messages to `onError` (with their wire JSON) and the logger. */
  report: (error: AnalyticsError, jsons: string[]) => void;
  /** Keeps messages until settled; its earlier processes' leftovers are delivered first. */
  outbox?: Outbox | undefined;
}

/**
 * The delivery engine: a bounded queue of serialized messages, written straight into the body of
 * the open batch, which is cut by count and bytes (and sent by count and time), with bounded
 * concurrency and flush accounting; a {@link BatchSender} sends each batch. It never throws to
 * callers.
 */
export class Delivery {
  readonly #deps: DeliveryDeps;
  readonly #opts: ResolvedOptions;
  readonly #envelopeBytes: number;
  readonly #sender: BatchSender;

  /** Batches cut and waiting to be sent, from `#head` on. */
  #queue: BatchBody[] = [];
  #head = 0;
  /** The batch accepted messages are written into; cut into `#queue` when full or drained. */
  #open: BatchBody | undefined;
  readonly #shape: BatchBodyShape;
  /** Messages per batch. */
  readonly #limit: number;
  /** A running mean of message bytes, to size new batch bodies. */
  #meanBytes = 512;
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
  #closeDeadline: number | undefined;

  constructor(deps: DeliveryDeps) {
    this.#deps = deps;
    this.#opts = deps.options;
    this.#sender = new BatchSender({ ...deps, deadline: () => this.#deadline() });
    this.#envelopeBytes = this.#sender.envelopeBytes;
    this.#shape = {
      runtime: deps.runtime,
      tail: this.#sender.envelopeTail,
      envelopeBytes: this.#envelopeBytes,
    };
    this.#limit = this.#opts.syncMode ? 1 : this.#opts.flushAt;
    this.#outbox = deps.outbox;
    this.#recovering = this.#outbox
      ?.recover((entries) => this.#adopt(entries))
      .catch(() => undefined)
      .finally(() => (this.#recovering = undefined));
  }

  /** Messages held: queued plus in flight. */
  get held(): number {
    return this.#deps.stats.queued + this.#deps.stats.inFlightMessages;
  }

  /** Serialized bytes held, queued plus in flight: the sum of each held message's own bytes. */
  get heldBytes(): number {
    return this.#queuedBytes + this.#inFlightBytes;
  }

  /**
   * Queues a serialized message when it fits under `maxQueueSize` and `maxQueueBytes`; returns
   * whether it did. Its bytes are measured as they are written into the open batch's body.
   */
  enqueue(json: string, done?: MessageCallback): boolean {
    if (this.held >= this.#opts.maxQueueSize) return false;
    let body = (this.#open ??= this.#openBody());
    // A message takes at least a byte per UTF-16 unit: cut a batch it surely overflows first.
    if (body.count > 0 && body.size + 1 + json.length > MAX_BATCH_BYTES) body = this.#cutAndOpen();
    const bytes = body.write(json);
    if (this.heldBytes + bytes > this.#opts.maxQueueBytes) return false;
    if (body.count > 0 && body.size + 1 + bytes > MAX_BATCH_BYTES) {
      body = this.#cutAndOpen();
      body.write(json);
    }
    const seq = ++this.#lastSeq;
    this.#keep(body, seq, bytes, this.#outbox?.append(json), done);
    if (this.#opts.syncMode) this.#drainUpTo = seq;
    this.#pump();
    return true;
  }

  #keep(
    body: BatchBody,
    seq: number,
    bytes: number,
    ref: OutboxRef,
    done: MessageCallback | undefined,
  ): void {
    body.keep(seq, bytes, ref, done);
    this.#queuedBytes += bytes;
    this.#deps.stats.queued++;
    this.#meanBytes += (bytes - this.#meanBytes) / 16;
    if (body.count >= this.#limit) this.#cut();
  }

  #openBody(): BatchBody {
    // Room for a full batch of messages of the mean size, and a little more: it grows if need be.
    const capacity = this.#envelopeBytes + Math.ceil(this.#limit * (this.#meanBytes + 1) * 1.125);
    return new BatchBody(this.#shape, Math.min(capacity, MAX_BATCH_BYTES + 64));
  }

  /** Moves the open batch to the queue of batches to send. */
  #cut(): void {
    if (this.#open === undefined || this.#open.count === 0) return;
    this.#queue.push(this.#open);
    this.#open = undefined;
  }

  #cutAndOpen(): BatchBody {
    this.#cut();
    this.#open = this.#openBody();
    return this.#open;
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
      const bounded = timeout !== undefined && Number.isFinite(timeout);
      const waiter: FlushWaiter = {
        from,
        upTo,
        remaining,
        delivered: 0,
        failed: 0,
        deadline: bounded ? Date.now() + Math.max(0, timeout) : undefined,
        resolve,
      };
      this.#waiters.push(waiter);
      if (bounded) {
        const timer = setTimeout(() => this.#finish(waiter), Math.max(0, timeout));
        waiter.resolve = (report) => {
          clearTimeout(timer);
          resolve(report);
        };
      }
    });
    this.#holdProcess();
    this.#sender.refit();
    this.#pump();
    return promise;
  }

  /**
   * Sets a deadline that holds until the client stops (a later `close({ timeout })`): backoff
   * waits fit the retries left before it, as they do before a waiting flush's.
   */
  closeBy(at: number): void {
    this.#closeDeadline = Math.min(this.#closeDeadline ?? Infinity, at);
    this.#sender.refit();
  }

  /** The earliest deadline of a waiting flush or of close, if any: retries fit before it. */
  #deadline(): number | undefined {
    let due = this.#closeDeadline;
    for (const waiter of this.#waiters) {
      if (waiter.deadline !== undefined && (due === undefined || waiter.deadline < due))
        due = waiter.deadline;
    }
    return due;
  }

  /**
   * Gives up on everything not yet delivered: aborts requests and backoff waits, reports every
   * held message through `onError` with `reason`, and resolves once all of it is settled.
   */
  async abandon(reason: 'FLUSH_TIMEOUT' | 'CLIENT_CLOSED'): Promise<number> {
    this.#cut();
    const leftover = this.#queue.slice(this.#head);
    const messages = leftover.reduce((n, body) => n + body.count, 0);
    this.#queue = [];
    this.#head = 0;
    this.#queuedBytes = 0;
    this.#deps.stats.queued = 0;
    if (messages > 0) {
      this.#settle(
        leftover,
        {
          ok: false,
          error: new DeliveryError(
            reason,
            `${messages} message(s) were never sent: the client closed before they could be delivered`,
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
    return messages + inFlight;
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
      let body = (this.#open ??= this.#openBody());
      const bytes = body.write(json);
      if (body.count > 0 && body.size + 1 + bytes > MAX_BATCH_BYTES) {
        body = this.#cutAndOpen();
        body.write(json);
      }
      this.#keep(body, ++this.#lastSeq, bytes, ref, undefined);
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
    const stats = this.#deps.stats;
    while (stats.inFlightRequests < opts.maxConcurrentRequests) {
      // A cut batch is due (full, or cut at the byte limit); the open one once drained.
      if (this.#head === this.#queue.length) {
        const open = this.#open;
        if (open === undefined || open.count === 0 || open.firstSeq > this.#drainUpTo) break;
        this.#cut();
      }
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
    if (stats.queued > 0 && this.#timer === undefined) {
      this.#timer = unref(
        setTimeout(() => {
          this.#timer = undefined;
          this.#drainUpTo = this.#lastSeq;
          this.#pump();
        }, opts.flushInterval),
      );
    }
  }

  #takeBatch(): BatchBody {
    const batch = this.#queue[this.#head]!;
    this.#queue[this.#head++] = undefined as unknown as BatchBody;
    // Compact now and then so the array does not grow without bound.
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    // What a batch moves is the sum its messages added at enqueue, separators and envelope aside:
    // anything else drifts with every batch and loosens the bound with uptime (#16).
    this.#queuedBytes -= batch.heldBytes;
    this.#inFlightBytes += batch.heldBytes;
    const stats = this.#deps.stats;
    stats.queued -= batch.count;
    stats.inFlightMessages += batch.count;
    stats.inFlightRequests++;
    if (stats.inFlightRequests === 1) {
      this.#settled = new Promise((resolve) => (this.#settleInFlight = resolve));
    }
    return batch;
  }

  async #deliver(batch: BatchBody): Promise<void> {
    let outcome: Outcome;
    try {
      outcome = await this.#sender.send(batch);
    } catch (error) {
      outcome = {
        ok: false,
        error: new AnalyticsError('INTERNAL', 'unexpected delivery failure', { cause: error }),
      };
    }
    this.#settle([batch], outcome, true);
  }

  #settle(batches: BatchBody[], outcome: Outcome, inFlight: boolean): void {
    const stats = this.#deps.stats;
    let count = 0;
    for (const batch of batches) count += batch.count;
    if (inFlight) {
      for (const batch of batches) this.#inFlightBytes -= batch.heldBytes;
      stats.inFlightMessages -= count;
      stats.inFlightRequests--;
    }
    // Abandoned by close(): an outbox keeps it for the next process. Anything else is settled.
    const kept =
      this.#outbox !== undefined &&
      !outcome.ok &&
      (outcome.error.code === 'FLUSH_TIMEOUT' || outcome.error.code === 'CLIENT_CLOSED');
    if (this.#outbox !== undefined && !kept) {
      this.#outbox.ack(batches.flatMap((batch) => batch.refs ?? []));
    }
    let error: AnalyticsError | undefined;
    if (outcome.ok) {
      stats.delivered += count;
      stats.batches++;
    } else {
      countDrop(stats.dropped, outcome.error.code as DropReason, count);
      error = kept ? keptInOutbox(outcome.error) : outcome.error;
      this.#deps.report(
        error,
        batches.flatMap((batch) => batch.jsons()),
      );
    }
    for (const batch of batches) {
      if (batch.callbacks !== undefined) for (const done of batch.callbacks) done?.(error);
    }
    if (this.#waiters.length > 0) {
      for (const batch of batches) this.#account(batch, outcome.ok);
    }
    if (stats.inFlightRequests === 0) this.#settleInFlight?.();
    if (!this.#sender.aborted) this.#pump();
  }

  #account(batch: BatchBody, ok: boolean): void {
    const first = batch.firstSeq;
    const last = first + batch.count - 1;
    for (const waiter of [...this.#waiters]) {
      const n = Math.min(last, waiter.upTo) - Math.max(first, waiter.from) + 1;
      if (n <= 0) continue;
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
