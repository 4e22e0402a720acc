import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** How the server answers one request. */
export type Reply =
  | { status: number; headers?: Record<string, string>; body?: string; delay?: number }
  | { reset: true }
  | { hang: true };

export interface ReceivedRequest {
  url: string;
  headers: IncomingHttpHeaders;
  /** Raw bytes as received (gzip included). */
  raw: Buffer;
  /** The parsed JSON body (gunzipped when needed). */
  body: { batch: Record<string, unknown>[]; writeKey: string; sentAt: string };
}

/**
 * A real HTTP ingestion endpoint on 127.0.0.1 for the client's tests: records every request and
 * answers from a script of replies (then 200).
 */
export interface IngestServer {
  url: string;
  requests: ReceivedRequest[];
  /** Every message of every request, in arrival order. */
  messages(): Record<string, unknown>[];
  /** Queue replies for the next requests. */
  script(...replies: Reply[]): void;
  /** Answer every request with this reply until changed (after the script runs out). */
  setDefault(reply: Reply): void;
  waitForMessages(count: number, timeout?: number): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export async function startIngestServer(): Promise<IngestServer> {
  const requests: ReceivedRequest[] = [];
  const scripted: Reply[] = [];
  let fallback: Reply = { status: 200, body: '{"success":true}' };
  const sockets = new Set<Socket>();
  const waiters: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const reply = scripted.shift() ?? fallback;
      const raw = Buffer.concat(chunks);
      const text =
        req.headers['content-encoding'] === 'gzip'
          ? gunzipSync(raw).toString('utf8')
          : raw.toString('utf8');
      requests.push({
        url: req.url ?? '',
        headers: req.headers,
        raw,
        body: JSON.parse(text) as ReceivedRequest['body'],
      });
      if ('reset' in reply) {
        req.socket.destroy();
        return;
      }
      if ('hang' in reply) return;
      const answer = () => {
        if (reply.status >= 200 && reply.status < 300) for (const w of waiters.splice(0)) w();
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        res.end(reply.body ?? '{}');
      };
      if (reply.delay) setTimeout(answer, reply.delay);
      else answer();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const messages = () => requests.flatMap((r) => r.body.batch);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    messages,
    script: (...replies) => scripted.push(...replies),
    setDefault: (reply) => (fallback = reply),
    async waitForMessages(count, timeout = 10_000) {
      const deadline = Date.now() + timeout;
      while (messages().length < count) {
        if (Date.now() > deadline)
          throw new Error(`expected ${count} messages, received ${messages().length}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      return messages();
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A logger that records every line, for asserting on logs (and that secrets never appear). */
export function captureLogger(): {
  lines: string[];
  debug: (m: string) => void;
  info: (m: string) => void;
  warn: (m: string) => void;
  error: (m: string) => void;
} {
  const lines: string[] = [];
  const log =
    (level: string) =>
    (message: string, ...args: unknown[]) => {
      lines.push(`${level} ${message} ${args.map((a) => JSON.stringify(a)).join(' ')}`);
    };
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
