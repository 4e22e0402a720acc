import type { Id } from '@tributary/core';
import type { HeaderSource } from '@tributary/core/adapter';
import { pageUrl, type NextRequestFacts } from './scope-from-request.js';

/**
 * What a route handler's request tells its scope: one object per request with prototype methods,
 * read by the kit only when a call needs it (the page URL included), so a request allocates no
 * closures for it (issue #20).
 */
export class RouteRequestFacts implements NextRequestFacts {
  headers: HeaderSource;
  socketAddress: string | undefined = undefined;
  userId: Id | undefined = undefined;
  /** The `Set-Cookie` values the scope asked for, in order; `undefined` when none. */
  cookies: string[] | undefined = undefined;
  readonly #request: Request;
  #url: string | undefined = undefined;

  constructor(request: Request) {
    this.#request = request;
    this.headers = request.headers;
  }

  get url(): string {
    return (this.#url ??= pageUrl(this.#request.url, this.#request.headers.get('host')));
  }

  setCookie(cookie: string): void {
    (this.cookies ??= []).push(cookie);
  }
}
