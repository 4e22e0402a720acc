/** Stable codes of {@link CollectorError}. */
export type CollectorErrorCode =
  | 'PORT_IN_USE'
  | 'LISTEN_FAILED'
  | 'INVALID_OPTIONS'
  | 'INVALID_FAULTS'
  | 'KEY_UNREADABLE'
  | 'INVALID_KEY'
  | 'TIMEOUT'
  | 'CLOSED';

const BRAND = Symbol.for('tributary.CollectorError');

/** The one error class of the collector: a string `code` and the `cause`. */
export class CollectorError extends Error {
  /** A stable, documented code. */
  readonly code: CollectorErrorCode;

  constructor(code: CollectorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CollectorError';
    this.code = code;
  }

  // Branded so `instanceof` holds across duplicate installs of the package.
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && BRAND in value;
  }

  get [BRAND](): true {
    return true;
  }
}
