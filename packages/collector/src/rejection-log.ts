import type { IncomingMessage } from 'node:http';
import type { RejectedRequest } from './collector-stats.js';
import type { EventStream } from './event-stream.js';

/** How many refused requests the log keeps, newest first. */
const MAX_REJECTIONS = 200;

/** The last requests refused or answered by a fault, as `rejections()` and the debugger list them. */
export class RejectionLog {
  readonly #entries: RejectedRequest[] = [];
  readonly #stream: EventStream;

  constructor(stream: EventStream) {
    this.#stream = stream;
  }

  /** Newest first, at most 200. */
  list(): RejectedRequest[] {
    return this.#entries.slice();
  }

  /** Lists a request and streams it to the debugger page. */
  remember(req: IncomingMessage, status: number, reason: string, message: string): void {
    const rejection: RejectedRequest = {
      at: new Date().toISOString(),
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      status,
      reason,
      message,
    };
    this.#entries.unshift(rejection);
    if (this.#entries.length > MAX_REJECTIONS) this.#entries.length = MAX_REJECTIONS;
    this.#stream.send('rejection', rejection);
  }

  clear(): void {
    this.#entries.length = 0;
  }
}
