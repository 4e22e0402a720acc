/**
 * The stringify-at-send client of the wire limit, as an app would call it once per request: it
 * keeps each finished message, and every 100 sends `JSON.stringify` of the batch over an undici
 * keep-alive pool. No validation, no size limits, no retries, no bounds: the least a client can do
 * in the serving process and still deliver every event. A reference row, never judged.
 */
import { Pool } from 'undici';
import { wireMessage } from './event.js';
import { WRITE_KEY } from './sdks.js';

const BATCH = 100;

export class IdealClient {
  readonly #pool: Pool;
  readonly #headers = {
    'content-type': 'application/json',
    authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`,
  };
  #batch: object[] = [];
  readonly #sending = new Set<Promise<void>>();

  constructor(host: string) {
    this.#pool = new Pool(host, { connections: 4, pipelining: 1, keepAliveTimeout: 10_000 });
  }

  track(i: number): void {
    this.#batch.push(wireMessage(i));
    if (this.#batch.length === BATCH) this.#send();
  }

  async close(): Promise<void> {
    if (this.#batch.length > 0) this.#send();
    await Promise.all(this.#sending);
    await this.#pool.close();
  }

  #send(): void {
    const body = JSON.stringify({
      batch: this.#batch,
      writeKey: WRITE_KEY,
      sentAt: new Date().toISOString(),
    });
    this.#batch = [];
    const sent = this.#pool
      .request({ path: '/v1/batch', method: 'POST', headers: this.#headers, body })
      .then(
        (response) => response.body.dump(),
        () => undefined,
      )
      .finally(() => this.#sending.delete(sent));
    this.#sending.add(sent);
  }
}
