import type { Logger } from '@tributary/core';
import { inspect } from 'node:util';

/** A logger that keeps every line at every level (arguments included), for counting and secret scans. */
export interface CaptureLogger extends Logger {
  readonly lines: string[];
  count(level: keyof Logger): number;
}

export function captureLogger(options: { keep?: number } = {}): CaptureLogger {
  const keep = options.keep ?? Infinity;
  const lines: string[] = [];
  const counts: Record<keyof Logger, number> = { debug: 0, info: 0, warn: 0, error: 0 };
  const emit =
    (level: keyof Logger) =>
    (message: string, ...args: unknown[]) => {
      counts[level]++;
      if (lines.length < keep) {
        lines.push(
          `${level} ${[message, ...args].map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 8 }))).join(' ')}`,
        );
      }
    };
  return {
    lines,
    count: (level) => counts[level],
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
  };
}
