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
  readonly #floods = new Map<string, { until: number; suppressed: number }>();

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  error(code: string, text: string): void {
    const now = Date.now();
    const state = this.#floods.get(code);
    if (state !== undefined && now < state.until) {
      state.suppressed++;
      return;
    }
    const more =
      state !== undefined && state.suppressed > 0
        ? ` (${state.suppressed} more ${code} rejection(s) since the last line)`
        : '';
    this.#logger.error(`${code}: ${text}${more}`);
    this.#floods.set(code, { until: now + FLOOD_LOG_INTERVAL, suppressed: 0 });
  }

  /** Logs, for each flood, how many rejections no line has mentioned yet. */
  summarize(): void {
    for (const [code, flood] of this.#floods) {
      if (flood.suppressed > 0) {
        this.#logger.error(
          `${code}: ${flood.suppressed} more ${code} rejection(s) since the last line`,
        );
        flood.suppressed = 0;
      }
    }
  }
}
