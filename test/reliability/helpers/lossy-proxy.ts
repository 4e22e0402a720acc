import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from './sizes.js';

/** A proxy in front of the collector that can lose the collector's answer after it stored the batch. */
export interface LossyProxy {
  url: string;
  /** Answers cut after the collector had handled the request (the client must retry: a duplicate). */
  readonly lostAnswers: number;
  /** Requests forwarded. */
  readonly forwarded: number;
  /** Changes the share of answers lost from now on. */
  setLossRate(rate: number): void;
  close(): Promise<void>;
}

/**
 * Forwards every request to `target`; for a seeded share `lossRate` of them, waits for the
 * collector's full answer and then resets the client's connection instead of relaying it. That is
 * the "response lost after the server stored it" case that makes retries produce duplicates.
 * Upstream resets and hangs pass through: a reset upstream resets the client; a client that gives
 * up aborts the upstream request.
 */
export async function startLossyProxy(
  target: string,
  options: { lossRate: number; seed: number },
): Promise<LossyProxy> {
  const random = seededRandom(options.seed);
  let lossRate = options.lossRate;
  let lostAnswers = 0;
  let forwarded = 0;
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    forwarded++;
    const headers: IncomingHttpHeaders = { ...req.headers, host: upstream.host };
    const out = request(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers,
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('error', () => req.socket.destroy());
        answer.on('end', () => {
          // Only an answer to a stored batch (2xx) makes the retry a duplicate; losing an injected
          // failure's answer proves nothing, so those are always relayed.
          const stored = (answer.statusCode ?? 0) >= 200 && (answer.statusCode ?? 0) < 300;
          if (stored && random() < lossRate) {
            lostAnswers++;
            req.socket.resetAndDestroy();
            return;
          }
          const body = Buffer.concat(chunks);
          const relayed: Record<string, string | string[] | undefined> = {
            ...answer.headers,
            'content-length': String(body.length),
          };
          for (const hop of ['connection', 'keep-alive', 'transfer-encoding']) delete relayed[hop];
          res.writeHead(answer.statusCode ?? 502, relayed);
          res.end(body);
        });
      },
    );
    out.on('error', () => {
      if (!req.socket.destroyed) req.socket.resetAndDestroy();
    });
    res.on('close', () => {
      if (!res.writableFinished) out.destroy();
    });
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get lostAnswers() {
      return lostAnswers;
    },
    get forwarded() {
      return forwarded;
    },
    setLossRate(rate: number) {
      lossRate = rate;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
