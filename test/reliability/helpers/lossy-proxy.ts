import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from './sizes.js';

/** A proxy in front of the collector that can lose the collector's answer after it stored the batch. */
export interface LossyProxy {
  url: string;
  /**
   * Answers to stored batches (2xx) that never reached the client, so its retry is a duplicate:
   * those the proxy cut, and those that came back after the client had given up (its timeout ran
   * out first, as happens on a busy machine).
   */
  readonly lostAnswers: number;
  /** Of `lostAnswers`, those that came back after the client had given up. */
  readonly lateAnswers: number;
  /** Requests forwarded. */
  readonly forwarded: number;
  /** Requests forwarded whose answer has not come back yet (injected hangs stay here). */
  readonly pending: number;
  /** Changes the share of answers lost from now on. */
  setLossRate(rate: number): void;
  close(): Promise<void>;
}

/**
 * Forwards every request to `target`; for a seeded share `lossRate` of them, waits for the
 * collector's full answer and then resets the client's connection instead of relaying it. That is
 * the "response lost after the server stored it" case that makes retries produce duplicates.
 * Upstream resets and hangs pass through: a reset upstream resets the client. A client that gives
 * up does not abort the upstream request: the collector may have stored the batch already, and
 * its answer, when it comes, is counted as lost (hangs stay open until `close()`).
 */
export async function startLossyProxy(
  target: string,
  options: { lossRate: number; seed: number },
): Promise<LossyProxy> {
  const random = seededRandom(options.seed);
  let lossRate = options.lossRate;
  let lostAnswers = 0;
  let lateAnswers = 0;
  let forwarded = 0;
  const upstreamRequests = new Set<ReturnType<typeof request>>();
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
          if (clientGone) {
            if (stored) {
              lostAnswers++;
              lateAnswers++;
            }
            return;
          }
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
    let clientGone = false;
    res.on('close', () => {
      if (!res.writableFinished) clientGone = true;
    });
    upstreamRequests.add(out);
    out.on('close', () => upstreamRequests.delete(out));
    out.on('error', () => {
      if (!req.socket.destroyed) req.socket.resetAndDestroy();
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
    get lateAnswers() {
      return lateAnswers;
    },
    get forwarded() {
      return forwarded;
    },
    get pending() {
      return upstreamRequests.size;
    },
    setLossRate(rate: number) {
      lossRate = rate;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const out of upstreamRequests) out.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
