import { request } from 'node:http';

/** What came back for a raw request: a status and body, or how the connection ended. */
export interface RawReply {
  status: number;
  body: string;
  /** Set when there was no answer: the connection was reset or closed. */
  error?: string;
}

/** Sends exactly these bytes, with exactly these headers, and never throws. */
export function rawRequest(
  url: string,
  options: {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: Buffer | string;
    timeout?: number;
  },
): Promise<RawReply> {
  const target = new URL(options.path ?? '/v1/batch', url);
  return new Promise((resolve) => {
    const req = request(
      target,
      {
        method: options.method ?? 'POST',
        headers: options.headers ?? {},
        timeout: options.timeout ?? 10_000,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', (error) =>
          resolve({ status: res.statusCode ?? 0, body: '', error: error.message }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error) =>
      resolve({
        status: 0,
        body: '',
        error: (error as NodeJS.ErrnoException).code ?? error.message,
      }),
    );
    if (options.body !== undefined) req.end(options.body);
    else req.end();
  });
}

/** `Authorization: Basic base64("<writeKey>:")`. */
export function basic(writeKey: string): string {
  return `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
}
