/**
 * Stable error codes. Match on `error.code`, never on the message text.
 */
export type AnalyticsErrorCode =
  | 'VALIDATION_FAILED'
  | 'MESSAGE_TOO_LARGE'
  | 'QUEUE_FULL'
  | 'CLIENT_CLOSED'
  | 'HTTP_ERROR'
  | 'NETWORK_ERROR'
  | 'TIMEOUT'
  | 'FLUSH_TIMEOUT'
  | 'AUTH_FAILED'
  | 'INVALID_OPTIONS'
  | 'OUTBOX_ERROR'
  | 'BEFORE_SEND_FAILED'
  /** Only ever passed to a call's callback: a `beforeSend` hook dropped the message on purpose. */
  | 'FILTERED'
  | 'PROXY_ERROR'
  | 'INTERNAL';

const BRAND = Symbol.for('tributary.AnalyticsError');

/**
 * Base class of every error Tributary reports. Branded with `Symbol.for` so `instanceof`
 * holds across duplicate installs of the package.
 */
export class AnalyticsError extends Error {
  /** A stable, documented code. */
  readonly code: AnalyticsErrorCode;

  constructor(code: AnalyticsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AnalyticsError';
    this.code = code;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    // Only the base class is matched by brand: a copy from another install is still an AnalyticsError.
    return (
      this === AnalyticsError &&
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[BRAND] === true
    );
  }

  get [BRAND](): true {
    return true;
  }
}

/** A message broke a rule: names the method, the field, the rule and what was received. */
export class ValidationError extends AnalyticsError {
  /** The offending field, as a dotted path (`properties.items.0`). */
  readonly field: string;

  /**
   * Set when the message names no one: neither `userId` nor `anonymousId`, given or from a request
   * scope. Such rejections come in floods (every anonymous request of an app without ids), so they
   * are logged once and then summarised, like `QUEUE_FULL`.
   */
  readonly missingIdentity: boolean;

  constructor(
    field: string,
    message: string,
    code: 'VALIDATION_FAILED' | 'MESSAGE_TOO_LARGE' = 'VALIDATION_FAILED',
    missingIdentity = false,
  ) {
    super(code, message);
    this.name = 'ValidationError';
    this.field = field;
    this.missingIdentity = missingIdentity;
  }
}

/** A batch could not be delivered: carries what the server (or the network) said. */
export class DeliveryError extends AnalyticsError {
  /** HTTP status of the last attempt, when there was a response. */
  readonly status: number | undefined;
  /** How many requests were made for this batch. */
  readonly attempts: number;
  /** Whether the last failure was of a kind that is retried. */
  readonly retriable: boolean;

  constructor(
    code:
      | 'HTTP_ERROR'
      | 'NETWORK_ERROR'
      | 'TIMEOUT'
      | 'FLUSH_TIMEOUT'
      | 'CLIENT_CLOSED'
      | 'AUTH_FAILED',
    message: string,
    details: { status?: number | undefined; attempts: number; retriable: boolean; cause?: unknown },
  ) {
    super(code, message, { cause: details.cause });
    this.name = 'DeliveryError';
    this.status = details.status;
    this.attempts = details.attempts;
    this.retriable = details.retriable;
  }
}

/** Describes a value for error messages: `undefined`, `null`, `array`, `number 12`, `string ""`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'string':
      return value.length > 40
        ? `a string of ${value.length} characters`
        : `string ${JSON.stringify(value)}`;
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${typeof value} ${String(value)}`;
    case 'object': {
      const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)
        ?.constructor?.name;
      return name && name !== 'Object' ? `a ${name}` : 'an object';
    }
    default:
      return `a ${typeof value}`;
  }
}

/** One line for a low-level failure: its code (`ECONNRESET`), message and cause's message. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${typeof code === 'string' ? `${code} ` : ''}${error.message}${cause}`;
  }
  return String(error);
}
