/** One HTTP request the client wants made. */
export interface TransportRequest {
  url: string;
  method: 'POST';
  /** Header names are lower-case. */
  headers: Record<string, string>;
  body: string | Uint8Array;
  /** Aborts the request when the client's `timeout` elapses or the client is closed. */
  signal: AbortSignal;
}

/** What came back. Header names are lower-case. */
export interface TransportResponse {
  status: number;
  headers: Record<string, string>;
  /** The response body as text (used by the OAuth token endpoint and error reports). */
  body: string;
}

/**
 * The single seam for delivery: route through a proxy, another HTTP client, or a test double.
 * Reject (or throw) for network failures; resolve with any status for HTTP answers.
 */
export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

/** Creates the default transport on runtimes with global `fetch`. */
export function createFetchTransport(fetchImpl: typeof fetch = globalThis.fetch): Transport {
  return async (request) => {
    const response = await fetchImpl(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body as BodyInit,
      signal: request.signal,
      // As on Node (undici's request): a redirect is an answer, reported, never re-posted elsewhere.
      redirect: 'manual',
    });
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      headers[key.toLowerCase()] = value;
    });
    return { status: response.status, headers, body: await response.text() };
  };
}
