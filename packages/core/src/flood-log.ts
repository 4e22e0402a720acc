import type { Logger } from './logger.js';

/** Milliseconds between two log lines about the same flood of rejections. */
export const FLOOD_LOG_INTERVAL = 10_000;

/**
 * Logs the first rejection of a flood, then at most one summary line per 10 s with how many were
 * left out: an outage must not turn into a log storm (every one is still counted in `stats()` and
 * given to `onError`; {@link FloodLog.summarize} logs what is still left out, at `close()`).
 */
export class FloodLog {
  readonly #logger: Logger;
  readonly #floods = new Map<string, { code: string; until: number; suppressed: number }>();

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** `key` separates floods that share a code (a missing identity is one kind of `VALIDATION_FAILED`). */
  error(code: string, text: string, key: string = code): void {
    const now = Date.now();
    const state = this.#floods.get(key);
    if (state !== undefined && now < state.until) {
      state.suppressed++;
      return;
    }
    const more =
      state !== undefined && state.suppressed > 0
        ? ` (${state.suppressed} more ${code} rejection(s) since the last line)`
        : '';
    this.#logger.error(`${code}: ${text}${more}`);
    this.#floods.set(key, { code, until: now + FLOOD_LOG_INTERVAL, suppressed: 0 });
  }

  /** Logs, for each flood, how many rejections no line has mentioned yet. */
  summarize(): void {
    for (const flood of this.#floods.values()) {
      if (flood.suppressed > 0) {
        const { code } = flood;
        this.#logger.error(
          `${code}: ${flood.suppressed} more ${code} rejection(s) since the last line`,
        );
        flood.suppressed = 0;
      }
    }
  }
}
