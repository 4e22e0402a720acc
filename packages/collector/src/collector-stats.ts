/** Counters since the collector started (or since `reset()`), plus what the store holds. */
export interface CollectorStats {
  /** Requests to the ingestion endpoints (`/v1/*`), whatever their outcome. */
  requests: number;
  /** Messages read from requests that were accepted, valid or not. */
  received: number;
  /** Messages stored. */
  stored: number;
  /** Messages not stored because their `messageId` was already stored. */
  duplicates: number;
  /** Messages not stored because they broke a rule, by reason (`no_user_anon_id`, `missing_event`, ...). */
  invalid: Record<string, number>;
  /** Requests refused as a whole, by reason (`unauthorized`, `invalid_json`, `message_too_large`, `invalid_client`, ...). */
  rejectedRequests: Record<string, number>;
  /** Requests answered by an injected fault, by kind (`fail_next`, `fail_rate`, `rate_limit`, `reset`, `hang`). */
  faults: Record<string, number>;
  /** Access tokens issued by `POST /token`. */
  tokensIssued: number;
  /** Events in the store, by type (includes events stored before a restart of a file database). */
  byType: Record<string, number>;
  /** Events in the store. */
  total: number;
}

/** The mutable counters behind {@link CollectorStats}; the store supplies `byType` and `total`. */
export class StatsCounter {
  requests = 0;
  received = 0;
  stored = 0;
  duplicates = 0;
  tokensIssued = 0;
  readonly invalid: Record<string, number> = {};
  readonly rejectedRequests: Record<string, number> = {};
  readonly faults: Record<string, number> = {};

  static bump(counts: Record<string, number>, key: string, by = 1): void {
    counts[key] = (counts[key] ?? 0) + by;
  }

  reset(): void {
    this.requests = this.received = this.stored = this.duplicates = this.tokensIssued = 0;
    for (const counts of [this.invalid, this.rejectedRequests, this.faults]) {
      for (const key of Object.keys(counts)) delete counts[key];
    }
  }

  snapshot(store: { byType: Record<string, number>; total: number }): CollectorStats {
    return {
      requests: this.requests,
      received: this.received,
      stored: this.stored,
      duplicates: this.duplicates,
      invalid: { ...this.invalid },
      rejectedRequests: { ...this.rejectedRequests },
      faults: { ...this.faults },
      tokensIssued: this.tokensIssued,
      byType: store.byType,
      total: store.total,
    };
  }
}

/** A request the collector refused, or answered with an injected fault, as the debugger lists it. */
export interface RejectedRequest {
  /** ISO 8601 time. */
  at: string;
  method: string;
  path: string;
  /** The status answered; `0` when the connection was reset or left hanging. */
  status: number;
  /** A stable code: `unauthorized`, `invalid_json`, `message_too_large`, `fault:rate_limit`, ... */
  reason: string;
  /** A human explanation. */
  message: string;
}
