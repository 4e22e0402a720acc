import type { Transport } from '../delivery/transport.js';
import type { Logger } from '../logger.js';
import type { OAuthOptions } from '../options.js';
import type { TokenProvider } from './token-provider.js';
import { TokenManager } from './token-manager.js';

/** Dependencies the token manager borrows from its client. */
export interface TokenManagerDeps {
  transport: Transport;
  logger: Logger;
  /** Milliseconds allowed for each token request. */
  timeout: number;
  /** Base of the exponential backoff between token requests, in milliseconds. Defaults to 500. */
  retryBaseDelay?: number;
  /** Cap of one backoff wait between token requests, in milliseconds. Defaults to 60000. */
  retryMaxDelay?: number;
}

/**
 * Creates the OAuth token provider of a client. Throws `AnalyticsError` `INVALID_OPTIONS` when
 * `options.clientKey` is not a usable RSA PKCS#8 PEM key.
 */
export function createTokenManager(
  options: Required<OAuthOptions>,
  deps: TokenManagerDeps,
): TokenProvider {
  return new TokenManager(options, deps);
}
