import type { ServerResponse } from 'node:http';

/** Server-sent events to every open `GET /api/stream`. */
export class EventStream {
  readonly #clients = new Set<ServerResponse>();
  #heartbeat: NodeJS.Timeout | undefined;

  /** Adopts a response as a stream; it is dropped when the client goes away. */
  add(res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 1000\n\n');
    this.#clients.add(res);
    res.on('close', () => this.#clients.delete(res));
    // Comments keep idle proxies and browsers from timing the stream out.
    this.#heartbeat ??= setInterval(() => {
      for (const client of this.#clients) client.write(': keep-alive\n\n');
    }, 15_000).unref();
  }

  /** Sends one named event with a JSON payload. */
  send(event: string, data: unknown): void {
    if (this.#clients.size === 0) return;
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const client of this.#clients) client.write(frame);
  }

  get size(): number {
    return this.#clients.size;
  }

  /** Ends every stream (on close). */
  close(): void {
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    for (const client of this.#clients) client.end();
    this.#clients.clear();
  }
}
