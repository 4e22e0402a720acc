import { AnalyticsError, DeliveryError, describeError } from '../errors.js';
import { timeoutSignal, unref, untilAborted } from '../timers.js';
import type { TokenProvider } from '../auth/token-provider.js';
import type { Logger } from '../logger.js';
import type { ResolvedOptions } from '../options.js';
import type { Runtime } from '../runtime/runtime.js';
import {
  backoffDelay,
  fitDelayToDeadline,
  isRetriableStatus,
  parseRetryAfter,
} from './retry-policy.js';
import type { AnalyticsStats } from './stats.js';
import type { BatchBody } from './batch-body.js';
import type { Transport } from './transport.js';
import { VERSION } from '../version.js';

/** How a batch ended: acknowledged, or the error to report for every message in it. */
export type Outcome = { ok: true } | { ok: false; error: AnalyticsError };

export interface BatchSenderDeps {
  options: ResolvedOptions;
  runtime: Runtime;
  transport: Transport;
  logger: Logger;
  stats: AnalyticsStats;
  tokens: TokenProvider | undefined;
  /**
   * Whether the transport is one the user supplied: it gets the body as text, as it always has
   * (unless gzipped); the runtime's own transports get the bytes as written.
   */
  textBody?: boolean | undefined;
  /**
   * When a flush or close waiting on this batch gives up (epoch milliseconds), if one does:
   * backoff waits are shortened to fit the retries left before it.
   */
  deadline?: (() => number | undefined) | undefined;
}

const decoder = new TextDecoder();

/**
 * Sends batches: the envelope, Basic or OAuth auth, gzip, the retry loop with backoff, and
 * `Retry-After`, which pauses every batch of the pipeline. Aborting it ends every attempt and
 * every wait at once.
 */
export class BatchSender {
  readonly #deps: BatchSenderDeps;
  readonly #writeKeyJson: string;
  readonly #basicAuth: string;
  readonly #abort = new AbortController();
  #pausedUntil = 0;
  readonly #backoffs = new Set<Backoff>();
  /** Bytes of the envelope around the messages, `sentAt` included. */
  readonly envelopeBytes: number;
  /** The envelope after the messages, up to the `sentAt` value. */
  readonly envelopeTail: string;

  constructor(deps: BatchSenderDeps) {
    this.#deps = deps;
    const { writeKey } = deps.options;
    this.#writeKeyJson = JSON.stringify(writeKey);
    this.#basicAuth = `Basic ${deps.runtime.base64(`${writeKey}:`)}`;
    // {"batch":[…],"writeKey":"…","sentAt":"2026-01-01T00:00:00.000Z"}
    this.envelopeTail = `],"writeKey":${this.#writeKeyJson},"sentAt":"`;
    this.envelopeBytes =
      '{"batch":[],"writeKey":,"sentAt":""}'.length +
      deps.runtime.byteLength(this.#writeKeyJson) +
      24;
  }

  /** Until when a rate limit holds every batch back (epoch milliseconds). */
  get pausedUntil(): number {
    return this.#pausedUntil;
  }

  get aborted(): boolean {
    return this.#abort.signal.aborted;
  }

  /** Ends every attempt and wait now; each batch then resolves with `reason`'s code. */
  abort(reason: DeliveryError): void {
    this.#abort.abort(reason);
  }

  /** Sends one batch, retrying as the policy says (the same bytes each time); never throws. */
  async send(batch: BatchBody): Promise<Outcome> {
    const { options: opts, runtime, transport, logger, stats, tokens } = this.#deps;
    const count = batch.count;
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
        const bytes = batch.finish(new Date().toISOString());
        const body = this.#deps.textBody === true ? decoder.decode(bytes) : bytes;
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          authorization: token === undefined ? this.#basicAuth : `Bearer ${token}`,
          'user-agent': USER_AGENT,
        };
        let payload = body;
        if (opts.gzip && runtime.gzip !== undefined) {
          payload = await untilAborted(runtime.gzip(body), deadline.signal);
          headers['content-encoding'] = 'gzip';
        }
        if (attempts > 1) headers['x-retry-count'] = String(attempts - 1);
        logger.debug(`sending ${count} message(s), attempt ${attempts}`);
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
          logger.debug(`delivered ${count} message(s) (HTTP ${status})`);
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
      let delay = backoffDelay(retries, opts.retryBaseDelay, opts.retryMaxDelay);
      const due = this.#deps.deadline?.();
      if (due !== undefined) {
        delay = fitDelayToDeadline(delay, due - Date.now(), opts.maxRetries - retries);
      }
      retries++;
      stats.retries++;
      logger.debug(`${failure.message}; retry ${retries} of ${opts.maxRetries} in ${delay} ms`);
      await this.#sleep(delay, opts.maxRetries - retries + 1);
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

  /**
   * Shortens the backoff waits under way to fit a deadline that appeared after they began (a
   * close or a bounded flush started while batches were waiting to retry).
   */
  refit(): void {
    const due = this.#deps.deadline?.();
    if (due === undefined) return;
    const now = Date.now();
    for (const backoff of this.#backoffs) {
      const fitted = fitDelayToDeadline(backoff.wakeAt - now, due - now, backoff.retriesLeft);
      if (now + fitted < backoff.wakeAt) backoff.reschedule(fitted);
    }
  }

  /** Waits `ms`, or until aborted; a backoff wait (`retriesLeft` given) can be refitted. */
  #sleep(ms: number, retriesLeft?: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.#abort.signal;
      let timer: ReturnType<typeof setTimeout>;
      const backoff: Backoff = {
        wakeAt: Date.now() + ms,
        retriesLeft: retriesLeft ?? 0,
        reschedule: (wait) => {
          clearTimeout(timer);
          backoff.wakeAt = Date.now() + wait;
          timer = unref(setTimeout(done, wait));
        },
      };
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.#backoffs.delete(backoff);
        resolve();
      };
      timer = unref(setTimeout(done, ms));
      signal.addEventListener('abort', done, { once: true });
      if (retriesLeft !== undefined) this.#backoffs.add(backoff);
    });
  }
}

/** A backoff wait under way. */
interface Backoff {
  wakeAt: number;
  /** The retries left, the one waiting included. */
  retriesLeft: number;
  reschedule(wait: number): void;
}

const USER_AGENT = `tributary-node/${VERSION}`;

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
