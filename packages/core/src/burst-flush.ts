import type { Logger } from './logger.js';

/** Quiet time after the last call of a burst before it is flushed, in milliseconds. */
const BURST_QUIET = 50;
/** Longest a burst waits for quiet after its first call, in milliseconds. */
const BURST_MAX_WAIT = 500;

interface Burst {
  timer: ReturnType<typeof setTimeout> | undefined;
  deadline: number;
  /** When the burst's latest call came. */
  last: number;
  resolve: () => void;
}

/**
 * Serverless hosts (`waitUntil` of Vercel and Cloudflare): flushes a burst of calls after 50 ms of
 * quiet (at most 500 ms after its first call), and hands the host one promise per burst that
 * settles once that flush has, so the host stays alive meanwhile without delaying the response.
 */
export class BurstFlush {
  readonly #waitUntil: (promise: Promise<unknown>) => void;
  readonly #flush: () => Promise<unknown>;
  readonly #logger: Logger;
  #burst: Burst | undefined;

  constructor(
    waitUntil: (promise: Promise<unknown>) => void,
    flush: () => Promise<unknown>,
    logger: Logger,
  ) {
    this.#waitUntil = waitUntil;
    this.#flush = flush;
    this.#logger = logger;
  }

  /**
   * A call was accepted: start a burst, or push its flush back. A call in a running burst only
   * notes its time; the burst's one timer re-arms itself until the quiet time has passed, instead
   * of a timer being cleared and set again on every call.
   */
  schedule(): void {
    const now = Date.now();
    if (this.#burst !== undefined) {
      this.#burst.last = now;
      return;
    }
    let resolve!: () => void;
    const sentinel = new Promise<void>((r) => (resolve = r));
    const burst: Burst = { timer: undefined, deadline: now + BURST_MAX_WAIT, last: now, resolve };
    this.#burst = burst;
    try {
      this.#waitUntil(sentinel);
    } catch (error) {
      this.#logger.warn(`waitUntil threw: ${String(error)}`);
    }
    this.#arm(burst, Math.min(BURST_QUIET, BURST_MAX_WAIT));
  }

  #arm(burst: Burst, ms: number): void {
    burst.timer = setTimeout(
      () => {
        const due = Math.min(burst.last + BURST_QUIET, burst.deadline);
        const left = due - Date.now();
        if (left > 0 && this.#burst === burst) {
          this.#arm(burst, left);
          return;
        }
        if (this.#burst === burst) this.#burst = undefined;
        void this.#flush().then(() => burst.resolve());
      },
      Math.max(0, ms),
    );
  }

  /** The client closed: its own flush covers the burst, so release the host now. */
  cancel(): void {
    if (this.#burst === undefined) return;
    clearTimeout(this.#burst.timer);
    this.#burst.resolve();
    this.#burst = undefined;
  }
}
