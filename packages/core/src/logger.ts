/** Any object with these four methods: `console`, pino, winston, Nest's `Logger`. */
export interface Logger {
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

/**
 * Wraps the user's logger: prefixes lines, drops `debug` unless `debug: true`, scrubs secrets,
 * and never lets a throwing logger reach the caller.
 */
export function createLogger(
  target: Logger,
  debug: boolean,
  redact: (text: string) => string,
): Logger {
  const emit =
    (level: keyof Logger) =>
    (message: string, ...args: unknown[]) => {
      if (level === 'debug' && !debug) return;
      try {
        target[level](`[tributary] ${redact(message)}`, ...args);
      } catch {
        // A broken logger must not break the host app.
      }
    };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}
