import type { TokenProvider } from './auth/token-provider.js';
import {
  CALL_IN_SCOPE,
  getCurrentScope,
  runWithScope,
  type RequestScope,
} from './context/request-scope.js';
import { Delivery, type FlushReport } from './delivery/delivery.js';
import { count, createStats, type AnalyticsStats, type DropReason } from './delivery/stats.js';
import { AnalyticsError, ValidationError, describeValue } from './errors.js';
import { BurstFlush } from './burst-flush.js';
import { FloodLog } from './flood-log.js';
import { isoNow } from './iso-now.js';
import { createLogger, type Logger } from './logger.js';
import { buildMessage, isPlainObject, type RawMessage } from './messages/build-message.js';
import { createMessagePipeline, type PipelineResult } from './messages/message-pipeline.js';
import type {
  AliasMessage,
  AnyPlan,
  CallOptions,
  GroupMessage,
  Id,
  IdentifyMessage,
  MessageContext,
  MessageType,
  PageMessage,
  Properties,
  ScreenMessage,
  TrackingPlan,
  TrackMessage,
  WireMessage,
} from './messages/types.js';
import {
  DEFAULT_CLOSE_TIMEOUT,
  MAX_MESSAGE_BYTES,
  resolveOptions,
  type AnalyticsOptions,
  type ResolvedOptions,
} from './options.js';
import type { Outbox } from './outbox/outbox.js';
import { runtimeOf, type Runtime } from './runtime/runtime.js';
import { createTokenManager } from './auth/create-token-manager.js';

/** Options of `flush()` and `close()`. */
export interface FlushOptions {
  /** Milliseconds to wait at most. `flush` defaults to no limit; `close` to 10000. */
  timeout?: number | undefined;
}

/**
 * The trailing callback of the object form, as in `@segment/analytics-node`: called once, with no
 * error when the message was delivered (or accepted, with `send: false`), or with the
 * `AnalyticsError` when it was rejected or could not be delivered. A message a `beforeSend` hook
 * dropped gets an error with code `FILTERED` (which `onError` never sees).
 */
export type DeliveryCallback = (error?: AnalyticsError) => void;

/** Hook for `@tributary/core/testing`: sees every accepted message. Not part of the public API. */
export const RECORD = Symbol.for('tributary.record');

type TrackArgs<TPlan extends TrackingPlan> = {
  [E in keyof TPlan & string]: [message: TrackMessage<E, TPlan[E]>, callback?: DeliveryCallback];
}[keyof TPlan & string];

type TrackPositional<TPlan extends TrackingPlan> = {
  [E in keyof TPlan & string]: [userId: Id, event: E, properties?: TPlan[E], options?: CallOptions];
}[keyof TPlan & string];

/**
 * A Segment-compatible analytics client. Calls validate, serialize and queue a message and return
 * `true`, or report the problem through `onError` and return `false`; they never throw and never
 * wait on I/O. Delivery happens in the background, in batches.
 *
 * @example
 * const analytics = new Analytics({ writeKey: process.env.SEGMENT_WRITE_KEY });
 * analytics.identify('019mr8mf4r', { email: 'john@example.com', plan: 'Premium' });
 * analytics.track('f4ca124298', 'Signed Up', { plan: 'Enterprise' });
 * await analytics.close();
 */
export class Analytics<TPlan extends TrackingPlan = AnyPlan> {
  readonly #options: ResolvedOptions;
  readonly #runtime: Runtime;
  readonly #logger: Logger;
  readonly #stats: AnalyticsStats = createStats();
  readonly #delivery: Delivery | undefined;
  readonly #tokens: TokenProvider | undefined;
  readonly #closeTransport: (() => Promise<void>) | undefined;
  readonly #record: ((message: WireMessage) => void) | undefined;
  readonly #pipeline: ReturnType<typeof createMessagePipeline>;
  #closing: Promise<FlushReport> | undefined;
  // Set only for the duration of a CALL_IN_SCOPE call.
  #givenScope: RequestScope | undefined;
  #unregisterExit: (() => void) | undefined;
  #exitFlushes = 0;
  readonly #floods: FloodLog;
  readonly #burst: BurstFlush | undefined;

  /** Throws `AnalyticsError` with code `INVALID_OPTIONS` listing every bad option; nothing throws after this. */
  constructor(options: AnalyticsOptions) {
    this.#runtime = runtimeOf(new.target);
    this.#options = resolveOptions(options);
    this.#runtime.prepare?.();
    const secrets = [this.#options.writeKey, this.#options.oauth?.clientKey].filter(
      (s): s is string => !!s,
    );
    this.#logger = createLogger(this.#options.logger, this.#options.debug, (text) =>
      this.#redact(text, secrets),
    );
    this.#floods = new FloodLog(this.#logger);
    const waitUntil = this.#options.waitUntil;
    this.#burst =
      waitUntil === undefined
        ? undefined
        : new BurstFlush(waitUntil, () => this.flush(), this.#logger);
    this.#pipeline = createMessagePipeline(this.#options);
    this.#record = (options as { [RECORD]?: (message: WireMessage) => void })[RECORD];
    if (!this.#options.send) return;
    let transport = this.#options.transport;
    if (transport === undefined) {
      const created = this.#runtime.createTransport({
        keepAliveConnections: this.#options.maxConcurrentRequests,
        proxy: this.#options.proxy,
      });
      transport = created;
      this.#closeTransport = created.close;
    }
    if (this.#options.oauth !== undefined) {
      this.#tokens = createTokenManager(this.#options.oauth, {
        transport,
        logger: this.#logger,
        timeout: this.#options.timeout,
        retryBaseDelay: this.#options.retryBaseDelay,
        retryMaxDelay: this.#options.retryMaxDelay,
      });
    }
    // Last, so nothing after it can throw while this client holds the outbox's lock.
    const outbox = this.#openOutbox();
    this.#delivery = new Delivery({
      options: this.#options,
      runtime: this.#runtime,
      transport,
      logger: this.#logger,
      stats: this.#stats,
      tokens: this.#tokens,
      textBody: this.#options.transport !== undefined,
      report: (error, jsons) =>
        this.#report(
          error,
          jsons.map((json) => JSON.parse(json) as WireMessage),
        ),
      outbox,
    });
  }

  #openOutbox(): Outbox | undefined {
    const options = this.#options.outbox;
    if (options === undefined) return undefined;
    if (this.#runtime.createOutbox === undefined) {
      throw new AnalyticsError(
        'INVALID_OPTIONS',
        'Invalid Analytics options:\n- "outbox" needs Node.js: edge runtimes have no lasting storage',
      );
    }
    return this.#runtime.createOutbox(options, {
      logger: this.#logger,
      report: (error) => this.#report(error, []),
    });
  }

  /**
   * Who the user is and what they are like.
   * @example analytics.identify('019mr8mf4r', { email: 'john@example.com' })
   */
  identify(message: IdentifyMessage, callback?: DeliveryCallback): boolean;
  identify(userId: Id, traits?: Properties, options?: CallOptions): boolean;
  identify(...args: unknown[]): boolean {
    return this.#call('identify', args, (userId, traits, options) =>
      options === undefined ? { userId, traits } : { ...asObject(options), userId, traits },
    );
  }

  /**
   * An action the user performed.
   * @example analytics.track('f4ca124298', 'Signed Up', { plan: 'Enterprise' })
   */
  track(...args: TrackArgs<TPlan>): boolean;
  track(...args: TrackPositional<TPlan>): boolean;
  track(...args: unknown[]): boolean {
    return this.#call('track', args, positionalTrack);
  }

  /**
   * A page view on a website.
   * @example analytics.page('user_id', 'Docs', 'Python', { url: 'http://segment.com' })
   */
  page(message: PageMessage, callback?: DeliveryCallback): boolean;
  page(
    userId: Id,
    category?: string | null,
    name?: string | null,
    properties?: Properties,
    options?: CallOptions,
  ): boolean;
  page(...args: unknown[]): boolean {
    return this.#call('page', args, positionalPage);
  }

  /**
   * A screen view in a mobile app.
   * @example analytics.screen('user_id', 'Settings', 'Brightness', { from: 'Home Screen' })
   */
  screen(message: ScreenMessage, callback?: DeliveryCallback): boolean;
  screen(
    userId: Id,
    category?: string | null,
    name?: string | null,
    properties?: Properties,
    options?: CallOptions,
  ): boolean;
  screen(...args: unknown[]): boolean {
    return this.#call('screen', args, positionalPage);
  }

  /**
   * Associates a user with a group (a company, an organization, an account).
   * @example analytics.group('user_id', 'group_id', { name: 'Initech', domain: 'Accounting' })
   */
  group(message: GroupMessage, callback?: DeliveryCallback): boolean;
  group(userId: Id, groupId: Id, traits?: Properties, options?: CallOptions): boolean;
  group(...args: unknown[]): boolean {
    return this.#call('group', args, (userId, groupId, traits, options) => ({
      ...asObject(options),
      userId,
      groupId,
      traits,
    }));
  }

  /**
   * Merges two identities: the previous (often anonymous) id and the new user id.
   * @example analytics.alias('92734232-2342423423-973945', '1234')
   */
  alias(message: AliasMessage, callback?: DeliveryCallback): boolean;
  alias(previousId: Id, userId: Id, options?: CallOptions): boolean;
  alias(...args: unknown[]): boolean {
    return this.#call('alias', args, (previousId, userId, options) => ({
      ...asObject(options),
      previousId,
      userId,
    }));
  }

  /**
   * Resolves once every message accepted before the call is delivered or reported, including
   * batches already in flight. Never rejects. Concurrent flushes each get that guarantee.
   */
  flush(options: FlushOptions = {}): Promise<FlushReport> {
    if (this.#delivery === undefined)
      return Promise.resolve({ delivered: 0, failed: 0, pending: 0 });
    return this.#delivery.flush(options.timeout);
  }

  /**
   * Flushes, then stops timers and releases connections. Idempotent: later calls return the same
   * promise. What is still undelivered at the timeout is reported through `onError`. After close,
   * calls return `false` with `CLIENT_CLOSED`.
   */
  close(options: FlushOptions = {}): Promise<FlushReport> {
    if (this.#closing === undefined) {
      this.#closing = this.#close(options.timeout ?? DEFAULT_CLOSE_TIMEOUT);
    } else if (options.timeout !== undefined) {
      // A later close() with its own deadline shortens the wait: at that deadline, what is still
      // undelivered is reported, as the first close would at its own.
      const closing = this.#closing;
      this.#delivery?.closeBy(Date.now() + Math.max(0, options.timeout));
      const timer = setTimeout(
        () => void this.#delivery?.abandon('FLUSH_TIMEOUT'),
        Math.max(0, options.timeout),
      );
      void closing.finally(() => clearTimeout(timer));
    }
    return this.#closing;
  }

  /** Alias of {@link close}, for code written against `@segment/analytics-node`. */
  closeAndFlush(options: FlushOptions = {}): Promise<FlushReport> {
    return this.close(options);
  }

  /** Counters: accepted, delivered, rejected and dropped by reason, retries, queue depth. */
  stats(): AnalyticsStats {
    const s = this.#stats;
    return {
      ...s,
      rejected: { ...s.rejected },
      dropped: { ...s.dropped },
      heldBytes: this.#delivery?.heldBytes ?? 0,
    };
  }

  /**
   * Runs `fn` with `context` merged into every call made inside it (by any client), across
   * `await`s. Explicit per-call fields win.
   */
  withContext<R>(context: MessageContext, fn: () => R): R {
    return runWithScope({ context }, fn);
  }

  /** Like {@link withContext}, with identity defaults too: what adapters set per request. */
  withScope<R>(scope: RequestScope, fn: () => R): R {
    return runWithScope(scope, fn);
  }

  /**
   * The kit's direct path (`RequestAnalytics`): the call is filled from `scope` as if made inside
   * it, without entering it.
   * @internal
   */
  [CALL_IN_SCOPE](scope: RequestScope, method: ScopedMethod, args: unknown[]): boolean {
    const previous = this.#givenScope;
    this.#givenScope = scope;
    try {
      return (this[method] as (...a: unknown[]) => boolean)(...args);
    } finally {
      this.#givenScope = previous;
    }
  }

  /** Whether `close()` has been called. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  #call(
    type: MessageType,
    args: unknown[],
    positional: (...args: unknown[]) => RawMessage,
  ): boolean {
    let callback: DeliveryCallback | undefined;
    try {
      const first = args[0];
      // The object form, whatever follows it: a callback, or nothing (an explicit undefined too).
      const objectForm = typeof first === 'object' && first !== null && !Array.isArray(first);
      // Allocated only when something follows the message: most calls pass it alone.
      const trailing = objectForm && args.length > 1 ? args.slice(1) : NOTHING;
      while (trailing.length > 0 && trailing.at(-1) === undefined) trailing.pop();
      if (trailing.length === 1 && typeof trailing[0] === 'function') {
        callback = trailing[0] as DeliveryCallback;
      }
      if (this.#closing !== undefined) {
        return this.#rejectCheaply(
          'CLIENT_CLOSED',
          `${type}: the client is closed; the call was dropped`,
          undefined,
          callback,
        );
      }
      const delivery = this.#delivery;
      // With no onError to receive the message, a full queue is known before building it: skip
      // the work, so a dead endpoint keeps calls as cheap as the bound itself.
      if (
        delivery !== undefined &&
        this.#options.onError === undefined &&
        delivery.held >= this.#options.maxQueueSize
      ) {
        return this.#rejectCheaply('QUEUE_FULL', this.#queueFullText(type), undefined, callback);
      }
      const raw: RawMessage = objectForm ? (args[0] as RawMessage) : positional(...args);
      if (objectForm && callback === undefined && trailing.length > 0) {
        return this.#reject(
          new ValidationError(
            'callback',
            `${type}: the object form takes the message and an optional callback (error?) => void, received ${trailing.length > 1 ? `${trailing.length} more arguments` : describeValue(trailing[0])} after the message`,
          ),
          raw as WireMessage,
          undefined,
        );
      }
      let shaped: PipelineResult;
      try {
        shaped = this.#pipeline(
          type,
          buildMessage(type, raw, this.#givenScope ?? getCurrentScope(), this.#env),
        );
      } catch (error) {
        // onError gets the call's input as given, so the caller can see what was wrong with it.
        if (error instanceof AnalyticsError)
          return this.#reject(error, raw as WireMessage, callback);
        throw error;
      }
      if ('filtered' in shaped) return this.#filter(shaped.filtered, callback);
      if ('error' in shaped) return this.#reject(shaped.error, shaped.message, callback);
      const { message, json } = shaped;
      // UTF-8 takes at most 3 bytes per UTF-16 unit: most messages need no measuring here.
      const bytes =
        json.length * 3 <= MAX_MESSAGE_BYTES ? json.length : this.#runtime.byteLength(json);
      if (bytes > MAX_MESSAGE_BYTES) {
        return this.#reject(
          new ValidationError(
            'message',
            `${type}: the message is ${bytes} bytes serialized; Segment accepts at most ${MAX_MESSAGE_BYTES} bytes (32 KB)`,
            'MESSAGE_TOO_LARGE',
          ),
          message,
          callback,
        );
      }
      this.#record?.(JSON.parse(json) as WireMessage);
      if (this.#delivery === undefined) {
        this.#stats.accepted++;
        this.#logger.debug(`${type} accepted (send: false, not sent)`);
        if (callback !== undefined) this.#callBack(callback, undefined);
        return true;
      }
      const done = callback;
      const queued = this.#delivery.enqueue(
        json,
        done === undefined ? undefined : (error) => this.#callBack(done, error),
      );
      if (!queued) {
        return this.#rejectCheaply('QUEUE_FULL', this.#queueFullText(type), message, callback);
      }
      this.#stats.accepted++;
      if (this.#unregisterExit === undefined && this.#options.flushOnExit) {
        this.#unregisterExit = this.#runtime.onBeforeExit(() => this.#onBeforeExit());
      }
      this.#burst?.schedule();
      return true;
    } catch (error) {
      return this.#reject(
        new AnalyticsError('INTERNAL', `${type}: unexpected error: ${String(error)}`, {
          cause: error,
        }),
        undefined,
        callback,
      );
    }
  }

  readonly #env = {
    now: isoNow,
    uuid: () => this.#runtime.uuid(),
  };

  #reject(
    error: AnalyticsError,
    message: WireMessage | undefined,
    callback: DeliveryCallback | undefined,
  ): false {
    count(this.#stats.rejected, error.code as DropReason);
    this.#report(error, message === undefined ? [] : [message]);
    if (callback !== undefined) this.#callBack(callback, error);
    return false;
  }

  /** Calls a call's callback once, after the call has returned, as analytics-node does. */
  #callBack(callback: DeliveryCallback, error: AnalyticsError | undefined): void {
    queueMicrotask(() => {
      try {
        callback(error);
      } catch (thrown) {
        this.#logger.warn(`a call's callback threw: ${String(thrown)}`);
      }
    });
  }

  /**
   * A `beforeSend` hook dropped the message on purpose: counted as `FILTERED` and logged at debug
   * level, but not an error, so `onError` does not hear of it. The call returns `false` and nothing
   * is delivered, so a trailing callback is still told, with a `FILTERED` error (built only then),
   * as analytics-node tells its callback about a cancelled event: no error would mean delivered.
   */
  #filter(text: string, callback: DeliveryCallback | undefined): false {
    count(this.#stats.rejected, 'FILTERED');
    this.#logger.debug(text);
    if (callback !== undefined) this.#callBack(callback, new AnalyticsError('FILTERED', text));
    return false;
  }

  /**
   * `#reject` for the rejections that come in floods (a full queue while the API is down, calls
   * after close): an Error captures a stack trace, which costs more than the whole call, so it is
   * only built when an `onError` handler is there to receive it. Logs and counts are the same.
   */
  #rejectCheaply(
    code: 'QUEUE_FULL' | 'CLIENT_CLOSED',
    text: string,
    message: WireMessage | undefined,
    callback: DeliveryCallback | undefined,
  ): false {
    count(this.#stats.rejected, code);
    // Calls after close are few and each is worth its line; a full queue comes in floods.
    if (code === 'QUEUE_FULL') this.#floods.error(code, text);
    else this.#logger.error(`${code}: ${text}`);
    const onError = this.#options.onError;
    if (onError === undefined && callback === undefined) return false;
    const error = new AnalyticsError(code, text);
    if (callback !== undefined) this.#callBack(callback, error);
    if (onError === undefined) return false;
    try {
      onError(error, message === undefined ? [] : [message]);
    } catch (thrown) {
      this.#logger.warn(`onError threw: ${String(thrown)}`);
    }
    return false;
  }

  #queueFullText(type: MessageType): string {
    const held = this.#delivery?.held ?? 0;
    return `${type}: the queue is full (${held} messages held, maxQueueSize ${this.#options.maxQueueSize}, maxQueueBytes ${this.#options.maxQueueBytes}); the message was dropped`;
  }

  #report(error: AnalyticsError, messages: WireMessage[]): void {
    // Every anonymous request of an app that has no ids would log its own line: one, then a summary.
    if (error instanceof ValidationError && error.missingIdentity) {
      this.#floods.error(error.code, error.message, 'MISSING_IDENTITY');
    } else {
      this.#logger.error(`${error.code}: ${error.message}`);
    }
    const onError = this.#options.onError;
    if (onError === undefined) return;
    try {
      onError(error, messages);
    } catch (thrown) {
      this.#logger.warn(`onError threw: ${String(thrown)}`);
    }
  }

  #onBeforeExit(): void {
    const delivery = this.#delivery;
    if (delivery === undefined || delivery.held === 0 || this.#closing !== undefined) return;
    this.#exitFlushes++;
    if (this.#exitFlushes === 1) {
      this.#logger.debug(`process ending: delivering ${delivery.held} queued message(s)`);
      void delivery.flush(DEFAULT_CLOSE_TIMEOUT);
    } else {
      void delivery.abandon('FLUSH_TIMEOUT');
    }
  }

  async #close(timeout: number): Promise<FlushReport> {
    const delivery = this.#delivery;
    let report: FlushReport = { delivered: 0, failed: 0, pending: 0 };
    if (delivery !== undefined) {
      report = await delivery.flush(timeout);
      if (report.pending > 0 || delivery.held > 0) {
        const abandoned = await delivery.abandon('FLUSH_TIMEOUT');
        report = { delivered: report.delivered, failed: report.failed + abandoned, pending: 0 };
      }
      delivery.stop();
      await delivery.release();
    }
    this.#burst?.cancel();
    this.#floods.summarize();
    this.#unregisterExit?.();
    this.#tokens?.close();
    try {
      await this.#closeTransport?.();
    } catch {
      // Closing idle connections cannot lose data; nothing to report.
    }
    return report;
  }

  #redact(text: string, secrets: string[]): string {
    let out = text;
    for (const secret of [...secrets, ...(this.#tokens?.secrets() ?? [])]) {
      if (secret.length >= 4) out = out.split(secret).join('[redacted]');
    }
    return out;
  }
}

const NOTHING: unknown[] = [];

type ScopedMethod = 'identify' | 'track' | 'page' | 'screen' | 'group' | 'alias';

// Most positional calls pass no options: build the message without spreading an empty object.
function positionalTrack(
  userId: unknown,
  event: unknown,
  properties: unknown,
  options: unknown,
): RawMessage {
  return options === undefined
    ? { userId, event, properties }
    : { ...asObject(options), userId, event, properties };
}

function asObject(value: unknown): Record<string, unknown> {
  return isPlainObject(value) ? value : {};
}

function positionalPage(
  userId: unknown,
  category: unknown,
  name: unknown,
  properties: unknown,
  options: unknown,
): RawMessage {
  return { ...asObject(options), userId, category, name, properties };
}
