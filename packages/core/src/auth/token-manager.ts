import { AnalyticsError } from '../errors.js';
import type { OAuthOptions } from '../options.js';
import type { TokenManagerDeps } from './create-token-manager.js';
import type { TokenProvider } from './token-provider.js';

/** Placeholder until the OAuth token manager lands. */
export class TokenManager implements TokenProvider {
  constructor(_options: Required<OAuthOptions>, _deps: TokenManagerDeps) {}
  getToken(): Promise<string> {
    return Promise.reject(new AnalyticsError('AUTH_FAILED', 'OAuth is not implemented yet'));
  }
  invalidate(): void {}
  secrets(): string[] {
    return [];
  }
  close(): void {}
}
