import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { gunzip } from 'node:zlib';
import type { RequestProblem } from './ingest.js';

/** Bodies past this are not even drained: the connection is cut. */
const DRAIN_CAP_BYTES = 16 * 1024 * 1024;

/** Reads a request body up to `limit` bytes after decompression; past it, a 400 problem. */
export async function readBody(
  req: IncomingMessage,
  limit: number,
): Promise<{ body: Buffer } | RequestProblem | { aborted: true }> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > DRAIN_CAP_BYTES) {
        req.destroy();
        return { aborted: true };
      }
      // Keep draining past the limit so the client can finish writing and read our 400.
      if (size <= limit) chunks.push(chunk);
    }
  } catch {
    return { aborted: true };
  }
  const tooLarge: RequestProblem = {
    status: 400,
    code: 'request_too_large',
    message: `The request body is over ${limit} bytes (500 KB), Segment's limit per request.`,
  };
  if (size > limit) return tooLarge;
  const raw = Buffer.concat(chunks, size);
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return { body: raw };
  if (encoding !== 'gzip' && encoding !== 'x-gzip') {
    return {
      status: 400,
      code: 'unsupported_encoding',
      message: `Content-Encoding "${encoding}" is not supported; send gzip or no encoding.`,
    };
  }
  return new Promise((resolve) => {
    gunzip(raw, { maxOutputLength: limit + 1 }, (error, body) => {
      if (error === null && body.length <= limit) resolve({ body });
      else if (error === null || (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
        resolve(tooLarge);
      else
        resolve({
          status: 400,
          code: 'invalid_gzip',
          message: `The gzip body could not be decompressed: ${error.message}`,
        });
    });
  });
}

/** Answers with a JSON body. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: OutgoingHttpHeaders = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Reads and discards what is left of a request body. */
export async function drain(req: IncomingMessage): Promise<void> {
  if (req.readableEnded) return;
  await readBody(req, 0);
}

/** Answers 405 with the allowed methods. */
export function sendMethodNotAllowed(res: ServerResponse, allow: string): void {
  sendJson(
    res,
    405,
    { success: false, code: 'method_not_allowed', message: `Use ${allow}.` },
    { allow },
  );
}
