import { importPKCS8 } from 'jose/key/import';
import { isRetriableStatus, backoffDelay } from '../delivery/retry-policy.js';
import type { TransportResponse } from '../delivery/transport.js';
import { timeoutSignal, unref } from '../timers.js';
import { AnalyticsError, DeliveryError, describeError } from '../errors.js';
import {
  DEFAULT_RETRY_BASE_DELAY,
  DEFAULT_RETRY_MAX_DELAY,
  type OAuthOptions,
} from '../options.js';
import { VERSION } from '../version.js';
import { signClientAssertion } from './client-assertion.js';
import { parseClientKey } from './client-key.js';
import type { TokenManagerDeps } from './create-token-manager.js';
import type { TokenProvider } from './token-provider.js';
import {
  DEFAULT_TOKEN_LIFETIME,
  describeTokenAnswer,
  isClockError,
  parseTokenError,
  rateLimitWait,
  tokenSchedule,
  type TokenSchedule,
} from './token-policy.js';

const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const USER_AGENT = `tributary-node/${VERSION}`;
/** Anything shaped like a JWT, scrubbed from server text quoted in errors. */
const JWT_PATTERN = /eyJ[\w-]+\.[\w-]+\.[\w-]*/g;

interface CachedToken extends TokenSchedule {
  value: string;
}

/**
 * Obtains and caches Tracking API access tokens with OAuth 2.0 client credentials and a signed
 * client assertion (RFC 7523), as Segment's "OAuth for the Tracking API" requires.
 *
 * - The key is checked synchronously in the constructor (a bad one throws `INVALID_OPTIONS`);
 *   it is imported lazily, on the first request.
 * - One request at a time (single flight), however many batches wait.
 * - A cached token is refreshed ahead of expiry, lazily, when `getToken` notices it is due:
 *   no timer keeps the process alive.
 * - The clock skew is learnt from each response's `Date` header and applied to the assertion.
 * - 429 waits `Retry-After` (or `X-RateLimit-Reset`); 5xx and network errors back off; each counts
 *   against `maxRetries`. Any other answer is final. Failures reject with `AUTH_FAILED`, whose
 *   message says what the server answered and never contains the key, an assertion or a token.
 */
export class TokenManager implements TokenProvider {
  readonly #options: Required<OAuthOptions>;
  readonly #deps: TokenManagerDeps;
  readonly #pem: string;
  readonly #audience: string;
  readonly #url: string;
  readonly #abort = new AbortController();
  #key: Promise<CryptoKey> | undefined;
  #token: CachedToken | undefined;
  #flight: Promise<string> | undefined;
  #assertion: string | undefined;
  /** Local clock minus the server's, in milliseconds. */
  #skew = 0;
  #closed = false;

  /** Throws `AnalyticsError` `INVALID_OPTIONS` when `options.clientKey` is not a usable RSA PKCS#8 PEM key. */
  constructor(options: Required<OAuthOptions>, deps: TokenManagerDeps) {
    const key = parseClientKey(options.clientKey);
    if (!key.ok) {
      throw new AnalyticsError(
        'INVALID_OPTIONS',
        `Invalid Analytics options:\n- "oauth.clientKey" ${key.problem}`,
      );
    }
    this.#pem = key.pem;
    this.#options = options;
    this.#deps = deps;
    this.#audience = options.authServer.replace(/\/+$/, '');
    this.#url = `${this.#audience}/token`;
  }

  getToken(signal?: AbortSignal): Promise<string> {
    if (this.#closed)
      return Promise.reject(new AnalyticsError('CLIENT_CLOSED', 'the client is closed'));
    const now = Date.now();
    const token = this.#token;
    if (token !== undefined && now < token.usableUntil) {
      if (now >= token.refreshAt) this.#refreshAhead(token);
      return Promise.resolve(token.value);
    }
    return untilAborted(this.#refresh(), signal);
  }

  invalidate(token: string): void {
    if (this.#token?.value === token) {
      this.#deps.logger.debug(
        'the Tracking API refused the OAuth token; a new one will be requested',
      );
      this.#token = undefined;
    }
  }

  secrets(): string[] {
    return [this.#token?.value, this.#assertion].filter((s): s is string => s !== undefined);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort(
      new AnalyticsError('CLIENT_CLOSED', 'the client closed during an OAuth token request'),
    );
  }

  /** The one request in flight, or a new one. */
  #refresh(): Promise<string> {
    if (this.#flight === undefined) {
      const flight = this.#requestToken().finally(() => {
        this.#flight = undefined;
      });
      // Waiters may all have given up (their signal aborted); the outcome is still handled.
      flight.catch(() => undefined);
      this.#flight = flight;
    }
    return this.#flight;
  }

  #refreshAhead(token: CachedToken): void {
    if (this.#flight !== undefined) return;
    this.#deps.logger.debug('refreshing the OAuth token ahead of its expiry');
    this.#refresh().catch((error: unknown) => {
      if (this.#closed) return;
      // Keep using the current token; try again halfway to the moment it stops being usable.
      token.refreshAt = Date.now() + Math.max(0, (token.usableUntil - Date.now()) / 2);
      this.#deps.logger.warn(
        `could not refresh the OAuth token ahead of expiry; the current one stays in use: ${describeError(error)}`,
      );
    });
  }

  async #requestToken(): Promise<string> {
    const { maxRetries } = this.#options;
    const { logger, transport } = this.#deps;
    let attempts = 0;
    let retries = 0;
    let clockRetried = false;
    for (;;) {
      this.#throwIfClosed();
      attempts++;
      const assertion = await this.#sign();
      this.#assertion = assertion;
      // URLSearchParams percent-encodes the values (RFC 6749 appendix B); both reference SDKs send them raw.
      const body = new URLSearchParams([
        ['grant_type', 'client_credentials'],
        ['client_assertion_type', CLIENT_ASSERTION_TYPE],
        ['client_assertion', assertion],
        ['scope', this.#options.scope],
      ]).toString();
      logger.debug(
        `requesting an OAuth token from ${this.#url}${attempts > 1 ? ` (attempt ${attempts})` : ''}`,
      );
      const requestedAt = Date.now();
      const deadline = timeoutSignal(
        this.#abort.signal,
        this.#deps.timeout,
        () =>
          new AnalyticsError(
            'TIMEOUT',
            `the OAuth token request timed out after ${this.#deps.timeout} ms`,
          ),
      );
      let response: TransportResponse | undefined;
      let failure = '';
      try {
        response = await transport({
          url: this.#url,
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
            'user-agent': USER_AGENT,
          },
          body,
          signal: deadline.signal,
        });
      } catch (error) {
        this.#throwIfClosed();
        failure = deadline.timedOut
          ? `the request timed out after ${this.#deps.timeout} ms`
          : `the request failed: ${this.#scrub(describeError(error))}`;
      } finally {
        deadline.clear();
      }
      let status: number | undefined;
      let wait: number | undefined;
      if (response !== undefined) {
        this.#learnSkew(response.headers.date);
        status = response.status;
        if (status >= 200 && status < 300) return this.#accept(response, requestedAt, attempts);
        const answer = parseTokenError(response.body);
        failure = `the server answered ${describeTokenAnswer(status, response.body, (text) => this.#scrub(text))}`;
        if (isClockError(status, answer) && !clockRetried) {
          // The skew was just learnt from this response: one immediate retry with a corrected assertion.
          clockRetried = true;
          logger.debug(
            `the token endpoint rejected the assertion's timestamps; retrying with a clock skew of ${this.#skew} ms`,
          );
          continue;
        }
        if (status === 429) wait = rateLimitWait(response.headers);
        else if (!isRetriableStatus(status))
          throw this.#failure(failure, { status, attempts, retriable: false });
      }
      if (retries >= maxRetries) {
        throw this.#failure(`${failure}; gave up after ${attempts} attempt(s)`, {
          status,
          attempts,
          retriable: true,
        });
      }
      wait ??= backoffDelay(
        retries,
        this.#deps.retryBaseDelay ?? DEFAULT_RETRY_BASE_DELAY,
        this.#deps.retryMaxDelay ?? DEFAULT_RETRY_MAX_DELAY,
      );
      retries++;
      if (status === 429)
        logger.warn(`the OAuth token endpoint is rate limiting (HTTP 429); retrying in ${wait} ms`);
      else
        logger.debug(
          `OAuth token request: ${failure}; retry ${retries} of ${maxRetries} in ${wait} ms`,
        );
      await this.#sleep(wait);
    }
  }

  #accept(response: TransportResponse, requestedAt: number, attempts: number): string {
    let parsed: unknown;
    try {
      parsed = JSON.parse(response.body);
    } catch {
      // Reported below without quoting the body: a 2xx body may hold a token.
    }
    const fields = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<
      string,
      unknown
    >;
    const value = fields.access_token;
    if (typeof value !== 'string' || value === '') {
      throw this.#failure(`the server answered HTTP ${response.status} without an access_token`, {
        status: response.status,
        attempts,
        retriable: false,
      });
    }
    let expiresIn = Number(fields.expires_in);
    if (
      fields.expires_in === undefined ||
      fields.expires_in === null ||
      !Number.isFinite(expiresIn) ||
      expiresIn <= 0
    ) {
      this.#deps.logger.warn(
        `the OAuth token response has no valid expires_in; assuming ${DEFAULT_TOKEN_LIFETIME} s`,
      );
      expiresIn = DEFAULT_TOKEN_LIFETIME;
    }
    const token: CachedToken = { value, ...tokenSchedule(requestedAt, expiresIn) };
    if (!this.#closed) this.#token = token;
    this.#deps.logger.debug(`obtained an OAuth token valid for ${expiresIn} s`);
    return value;
  }

  async #sign(): Promise<string> {
    const key = await this.#importKey();
    try {
      return await signClientAssertion(key, {
        clientId: this.#options.clientId,
        keyId: this.#options.keyId,
        audience: this.#audience,
        serverNow: Date.now() - this.#skew,
        jti: crypto.randomUUID(),
      });
    } catch (error) {
      throw this.#failure(
        `the client assertion could not be signed with "oauth.clientKey": ${describeError(error)}`,
        {
          attempts: 0,
          retriable: false,
          cause: error,
        },
      );
    }
  }

  #importKey(): Promise<CryptoKey> {
    this.#key ??= importPKCS8(this.#pem, 'RS256').catch((error: unknown) => {
      throw this.#failure(
        `"oauth.clientKey" could not be imported as an RS256 private key: ${describeError(error)}`,
        {
          attempts: 0,
          retriable: false,
          cause: error,
        },
      );
    });
    return this.#key;
  }

  #learnSkew(date: string | undefined): void {
    if (date === undefined) return;
    const server = Date.parse(date);
    if (Number.isNaN(server)) return;
    const skew = Date.now() - server;
    // The header has a 1 s resolution; only a larger difference is worth a log line.
    if (Math.abs(skew - this.#skew) >= 2000)
      this.#deps.logger.debug(`clock skew with the OAuth server: ${skew} ms`);
    this.#skew = skew;
  }

  #failure(
    detail: string,
    details: { status?: number | undefined; attempts: number; retriable: boolean; cause?: unknown },
  ): DeliveryError {
    return new DeliveryError(
      'AUTH_FAILED',
      `OAuth token request to ${this.#url} failed: ${detail}`,
      details,
    );
  }

  /** Removes anything secret a server or a library error might echo back. */
  #scrub(text: string): string {
    let out = text;
    for (const secret of this.secrets()) out = out.split(secret).join('[redacted]');
    return out.replace(JWT_PATTERN, '[redacted]');
  }

  #throwIfClosed(): void {
    if (this.#closed)
      throw new AnalyticsError(
        'CLIENT_CLOSED',
        'the client closed before an OAuth token was obtained',
      );
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const signal = this.#abort.signal;
      const onAbort = () => {
        clearTimeout(timer);
        reject(
          new AnalyticsError(
            'CLIENT_CLOSED',
            'the client closed before an OAuth token was obtained',
          ),
        );
      };
      const timer = unref(
        setTimeout(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        }, ms),
      );
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** `promise`, or the abort reason of `signal` if it aborts first (the shared request carries on). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error
    ? reason
    : new AnalyticsError('TIMEOUT', 'the wait for an OAuth token was aborted');
}
