import { gzipSync } from 'node:zlib';

/** `Authorization: Basic base64("<writeKey>:")`. */
export const basic = (writeKey: string) =>
  `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;

let counter = 0;
/** A unique messageId per call. */
export const id = (prefix = 'msg') => `${prefix}-${process.pid}-${++counter}`;

/** POSTs JSON (or raw text) and returns the status, headers and parsed body. */
export async function post(
  base: string,
  path: string,
  body: unknown,
  options: { headers?: Record<string, string>; gzip?: boolean; raw?: boolean } = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const text = options.raw ? String(body) : JSON.stringify(body);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...options.headers,
  };
  let payload: string | Uint8Array<ArrayBuffer> = text;
  if (options.gzip) {
    payload = new Uint8Array(gzipSync(text));
    headers['content-encoding'] = 'gzip';
  }
  const response = await fetch(new URL(path, base), { method: 'POST', headers, body: payload });
  const responseText = await response.text();
  let parsed: unknown = responseText;
  try {
    parsed = JSON.parse(responseText);
  } catch {
    // Leave non-JSON answers as text.
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/** GETs JSON. */
export async function getJson(base: string, path: string): Promise<any> {
  const response = await fetch(new URL(path, base));
  return response.json();
}
