import type { RequestFacts, TrustProxy } from '@tributary/core/adapter';
import type { Request, Response } from 'express';

/**
 * The kit's request facts over an Express request, read only when a call needs them: one object of
 * a fixed shape per request, with no per-request closures.
 */
export class ExpressRequestFacts implements RequestFacts {
  readonly request: Request;
  // Read now: once a closed connection's socket is destroyed its address is gone, and a call made
  // after that (on the socket's 'close') still gets it. Node caches it per connection, so on a
  // keep-alive connection only its first request pays for the lookup.
  readonly socketAddress: string | undefined;
  readonly #response: Response;

  constructor(request: Request, response: Response) {
    this.request = request;
    this.socketAddress = request.socket?.remoteAddress;
    this.#response = response;
  }

  get headers(): Request['headers'] {
    return this.request.headers;
  }

  get url(): string {
    return this.request.originalUrl ?? this.request.url;
  }

  // Express's own reading (X-Forwarded-Proto only from a trusted proxy); without that header it is
  // the socket's, which is all `req.protocol` would return after running the trust rule.
  get protocol(): string {
    const request = this.request;
    if (!request.headers['x-forwarded-proto'])
      return (request.socket as { encrypted?: boolean } | undefined)?.encrypted === true
        ? 'https'
        : 'http';
    return request.protocol;
  }

  get trustProxy(): TrustProxy | undefined {
    return this.request.app?.get('trust proxy fn') as TrustProxy | undefined;
  }

  setCookie(header: string): void {
    // Once the headers are out, the id still serves this request, without a cookie.
    if (!this.#response.headersSent) this.#response.append('Set-Cookie', header);
  }
}
