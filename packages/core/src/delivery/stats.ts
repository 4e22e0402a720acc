/** Why a message did not reach the API. */
export type DropReason =
  | 'VALIDATION_FAILED'
  | 'MESSAGE_TOO_LARGE'
  | 'QUEUE_FULL'
  | 'CLIENT_CLOSED'
  | 'HTTP_ERROR'
  | 'NETWORK_ERROR'
  | 'TIMEOUT'
  | 'FLUSH_TIMEOUT'
  | 'AUTH_FAILED'
  /** A `beforeSend` hook returned `null`: a deliberate drop, not an error. */
  | 'FILTERED'
  | 'BEFORE_SEND_FAILED';

/** Counters since the client was created; `queued`, `inFlight*` are current values. */
export interface AnalyticsStats {
  /** Calls that returned `true`. */
  accepted: number;
  /** Messages the API acknowledged. */
  delivered: number;
  /** Calls that returned `false`, by reason (validation, size, queue full, closed, filtered). */
  rejected: Partial<Record<DropReason, number>>;
  /** Accepted messages that could not be delivered, by reason; each was reported through `onError`. */
  dropped: Partial<Record<DropReason, number>>;
  /** Requests repeated after a retriable failure. */
  retries: number;
  /** Requests that the API acknowledged. */
  batches: number;
  /** Request body bytes sent, after compression, over all attempts. */
  bytesSent: number;
  /** Messages waiting to be sent. */
  queued: number;
  /** Messages in requests that have not finished (including backoff waits). */
  inFlightMessages: number;
  /** Requests that have not finished. */
  inFlightRequests: number;
  /** Serialized bytes held, queued plus in flight: what `maxQueueBytes` bounds. 0 when nothing is held. */
  heldBytes: number;
}

export function createStats(): AnalyticsStats {
  return {
    accepted: 0,
    delivered: 0,
    rejected: {},
    dropped: {},
    retries: 0,
    batches: 0,
    bytesSent: 0,
    queued: 0,
    inFlightMessages: 0,
    inFlightRequests: 0,
    heldBytes: 0,
  };
}

export function count(
  bucket: Partial<Record<DropReason, number>>,
  reason: DropReason,
  n = 1,
): void {
  bucket[reason] = (bucket[reason] ?? 0) + n;
}
