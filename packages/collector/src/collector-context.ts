import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { CollectorStats } from './collector-stats.js';
import { StatsCounter } from './collector-stats.js';
import type { EventStore } from './event-store.js';
import type { EventStream } from './event-stream.js';
import type { FaultState } from './fault-controller.js';
import { sendJson } from './http.js';
import type { RequestProblem } from './ingest.js';
import type { RejectionLog } from './rejection-log.js';
import type { TokenIssuer } from './token-issuer.js';

/** What the routes of a running collector share: its state, and how it logs and refuses. */
export interface CollectorContext {
  /** Base URL the collector listens on. */
  readonly url: string;
  readonly store: EventStore;
  /** The counters behind `stats()`. */
  readonly counters: StatsCounter;
  readonly stream: EventStream;
  readonly issuer: TokenIssuer;
  /** Write keys to accept; empty accepts any. */
  readonly writeKeys: ReadonlySet<string>;
  readonly faults: FaultState;
  readonly rejectionLog: RejectionLog;
  /** Sockets held open by the `hang` fault, destroyed on close. */
  readonly hanging: Set<Socket>;
  /** Whether `close()` has been called. */
  readonly closing: boolean;
  /** `stats()` of the collector: the counters plus what the store holds. */
  snapshot(): CollectorStats;
  /** Deletes every stored event, counter and listed rejection. */
  reset(): void;
  /** Wakes `waitForEvents` callers after events were stored. */
  eventsStored(): void;
  /** Prints a line unless the collector is quiet. */
  log(line: string): void;
}

/** Refuses a whole request: counted by `code`, answered, logged, listed and streamed. */
export function reject(
  context: CollectorContext,
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  StatsCounter.bump(context.counters.rejectedRequests, code);
  sendJson(res, status, { success: false, code, message }, headers);
  context.log(`${req.method} ${req.url} ${status} ${code}: ${message}`);
  context.rejectionLog.remember(req, status, code, message);
  context.stream.send('stats', context.snapshot());
}

/** {@link reject} with a problem found while reading or parsing the request. */
export function rejectProblem(
  context: CollectorContext,
  req: IncomingMessage,
  res: ServerResponse,
  problem: RequestProblem,
): void {
  reject(context, req, res, problem.status, problem.code, problem.message);
}
