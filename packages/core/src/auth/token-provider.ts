/** Supplies bearer tokens for the Tracking API; the OAuth token manager implements it. */
export interface TokenProvider {
  /** A valid access token; waits for a refresh when needed. Rejects with an `AUTH_FAILED` error. */
  getToken(signal?: AbortSignal): Promise<string>;
  /** Forget `token` (the API answered 401/403 with it); the next `getToken` fetches a fresh one. */
  invalidate(token: string): void;
  /** Secrets to scrub from logs and errors (the current token). */
  secrets(): string[];
  /** Stop timers. */
  close(): void;
}
