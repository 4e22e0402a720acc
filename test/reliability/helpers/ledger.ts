import type { AnalyticsError, WireMessage } from '@tributary/core';
import type { RunningCollector } from '@tributary/collector';

/** What became of every call, reconciled by messageId against what the collector stored. */
export interface Reconciliation {
  sent: number;
  accepted: number;
  /** Calls that returned `false` (reported at once through `onError`). */
  refused: number;
  /** Accepted and stored (the store keeps a messageId once). */
  delivered: number;
  /** Accepted, not stored, reported through `onError` after acceptance. */
  reportedUndelivered: number;
  /** Accepted, stored, and also reported: the API took it but its answer was lost every time. */
  deliveredAndReported: number;
  /** Accepted, never stored, never reported. */
  lost: string[];
  /** Stored messageIds this client never accepted. */
  phantom: string[];
  /** Refused calls that the collector stored anyway. */
  refusedButStored: string[];
  /** Duplicates the collector refused (copies of a stored messageId). */
  duplicated: number;
  /** Reported after acceptance, by error code. */
  reportedByCode: Record<string, number>;
  /** Refused at call time, by error code. */
  refusedByCode: Record<string, number>;
}

/**
 * Books every call by its messageId: accepted (`true`), refused (`false`, with the code that
 * `onError` gave), or reported later (an undelivered batch). Pass `ledger.onError` to the client.
 */
export class Ledger {
  readonly accepted = new Set<string>();
  readonly refused = new Map<string, string>();
  /** messageId → codes `onError` reported it with, in order. */
  readonly errors = new Map<string, string[]>();
  /** Errors without a messageId in their messages (should not happen for calls we made). */
  readonly anonymousErrors: AnalyticsError[] = [];
  /** Every error object, for scans (messages must not leak secrets). */
  readonly allErrors: AnalyticsError[] = [];
  sent = 0;
  #counter = 0;
  readonly #prefix: string;

  constructor(prefix: string) {
    this.#prefix = prefix;
  }

  readonly onError = (error: AnalyticsError, messages: WireMessage[]): void => {
    this.allErrors.push(error);
    if (messages.length === 0) this.anonymousErrors.push(error);
    for (const message of messages) {
      const id = (message as { messageId?: unknown }).messageId;
      if (typeof id !== 'string') {
        this.anonymousErrors.push(error);
        continue;
      }
      const codes = this.errors.get(id) ?? [];
      codes.push(error.code);
      this.errors.set(id, codes);
    }
  };

  /** A fresh, unique messageId. */
  nextId(): string {
    return `${this.#prefix}-${++this.#counter}`;
  }

  /** Makes one call with messageId `id` and books its outcome. A throw fails the test. */
  call(id: string, fn: () => boolean): boolean {
    this.sent++;
    const ok = fn();
    if (typeof ok !== 'boolean') throw new Error(`a call returned ${typeof ok}, not a boolean`);
    if (ok) this.accepted.add(id);
    else this.refused.set(id, this.errors.get(id)?.at(-1) ?? 'NOT_REPORTED');
    return ok;
  }

  /** Compares the books with the collector's store. */
  reconcile(collector: RunningCollector): Reconciliation {
    const stored = new Map<string, number>();
    for (const event of collector.events()) {
      const id = String(event.message.messageId);
      if (!id.startsWith(`${this.#prefix}-`)) continue;
      stored.set(id, (stored.get(id) ?? 0) + 1);
    }
    let delivered = 0;
    let reportedUndelivered = 0;
    let deliveredAndReported = 0;
    const lost: string[] = [];
    const reportedByCode: Record<string, number> = {};
    for (const id of this.accepted) {
      const inStore = stored.has(id);
      const codes = this.errors.get(id);
      if (inStore) delivered++;
      if (codes !== undefined) {
        const code = codes.at(-1)!;
        reportedByCode[code] = (reportedByCode[code] ?? 0) + 1;
        if (inStore) deliveredAndReported++;
        else reportedUndelivered++;
      }
      if (!inStore && codes === undefined) lost.push(id);
    }
    const refusedByCode: Record<string, number> = {};
    for (const code of this.refused.values()) refusedByCode[code] = (refusedByCode[code] ?? 0) + 1;
    return {
      sent: this.sent,
      accepted: this.accepted.size,
      refused: this.refused.size,
      delivered,
      reportedUndelivered,
      deliveredAndReported,
      lost,
      phantom: [...stored.keys()].filter((id) => !this.accepted.has(id) && !this.refused.has(id)),
      refusedButStored: [...this.refused.keys()].filter((id) => stored.has(id)),
      duplicated: collector.stats().duplicates,
      reportedByCode,
      refusedByCode,
    };
  }
}

/** Counts by key, for notes: `{ a: 2, b: 1 }` → `a 2, b 1`. */
export function describeCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts).filter(([, n]) => n > 0);
  return entries.length === 0 ? 'none' : entries.map(([k, n]) => `${k} ${n}`).join(', ');
}
