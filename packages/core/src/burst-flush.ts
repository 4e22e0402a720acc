import type { Logger } from './logger.js';

/** Quiet time after the last call of a burst before it is flushed, in milliseconds. */
const BURST_QUIET = 50;
/** Longest a burst waits for quiet after its first call, in milliseconds. */
const BURST_MAX_WAIT = 500;

/**
 * Serverless hosts (`waitUntil` of Vercel and Cloudflare): flushes a burst of calls after 50 ms of
 * quiet (at most 500 ms after its first call), and hands the host one promise per burst that
 * settles once that flush has, so the host stays alive meanwhile without delaying the response.
 */
export class BurstFlush {
  readonly #waitUntil: (promise: Promise<unknown>) => void;
  readonly #flush: () => Promise<unknown>;
  readonly #logger: Logger;
  #burst:
    | { timer: ReturnType<typeof setTimeout> | undefined; deadline: number; resolve: () => void }
    | undefined;

  constructor(
    waitUntil: (promise: Promise<unknown>) => void,
    flush: () => Promise<unknown>,
    logger: Logger,
  ) {
    this.#waitUntil = waitUntil;
    this.#flush = flush;
    this.#logger = logger;
  }

  /** A call was accepted: start a burst, or push its flush back. */
  schedule(): void {
    const now = Date.now();
    if (this.#burst === undefined) {
      let resolve!: () => void;
      const sentinel = new Promise<void>((r) => (resolve = r));
      this.#burst = { timer: undefined, deadline: now + BURST_MAX_WAIT, resolve };
      try {
        this.#waitUntil(sentinel);
      } catch (error) {
        this.#logger.warn(`waitUntil threw: ${String(error)}`);
      }
    }
    const burst = this.#burst;
    clearTimeout(burst.timer);
    burst.timer = setTimeout(
      () => {
        this.#burst = undefined;
        void this.#flush().then(() => burst.resolve());
      },
      Math.max(0, Math.min(BURST_QUIET, burst.deadline - now)),
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
