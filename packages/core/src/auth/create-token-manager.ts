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
}

export function createTokenManager(options: Required<OAuthOptions>, deps: TokenManagerDeps): TokenProvider {
  return new TokenManager(options, deps);
}
