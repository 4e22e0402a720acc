import { randomBytes } from 'node:crypto';
import type { JWTVerifyGetKey, CryptoKey as JoseKey } from 'jose';
import { createLocalJWKSet, errors, importSPKI, jwtVerify } from 'jose';
import { CollectorError } from './collector-error.js';

/** OAuth settings: where client assertions are verified and how long issued tokens live. */
export interface OAuthOptions {
  /** Public keys (PEM, SPKI: `-----BEGIN PUBLIC KEY-----`) that may sign client assertions. */
  publicKeys?: string[];
  /** A JSON Web Key Set whose keys may sign client assertions (matched by `kid`). */
  jwks?: { keys: JsonWebKey[] };
  /** Lifetime of issued access tokens in seconds. Defaults to 3600. */
  tokenTtlSeconds?: number;
  /** Client ids allowed to obtain tokens (`iss` = `sub`). Defaults to any. */
  clientIds?: string[];
}

/** Segment's token answer. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/** The `/token` endpoint's answer: a status and a JSON body. */
export type TokenResult =
  | { status: 200; body: TokenResponse; clientId: string }
  | { status: 400 | 401; body: { error: string; error_description: string } };

/** Default lifetime of issued tokens, in seconds. */
export const DEFAULT_TOKEN_TTL_SECONDS = 3600;
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const DEFAULT_SCOPE = 'tracking_api:write';

/** Verifies client-assertion JWTs (RS256) and issues opaque, expiring bearer tokens. */
export class TokenIssuer {
  readonly #keys: JoseKey[];
  readonly #jwks: JWTVerifyGetKey | undefined;
  readonly #ttl: number;
  readonly #clientIds: Set<string> | undefined;
  readonly #tokens = new Map<string, { clientId: string; expiresAt: number }>();

  private constructor(keys: JoseKey[], jwks: JWTVerifyGetKey | undefined, options: OAuthOptions) {
    this.#keys = keys;
    this.#jwks = jwks;
    this.#ttl = options.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
    this.#clientIds = options.clientIds?.length ? new Set(options.clientIds) : undefined;
  }

  /** Imports the keys; throws `CollectorError` `INVALID_KEY` naming the key that is not a public key. */
  static async create(options: OAuthOptions = {}): Promise<TokenIssuer> {
    const keys: JoseKey[] = [];
    for (const [index, pem] of (options.publicKeys ?? []).entries()) {
      try {
        keys.push(await importSPKI(pem.trim(), 'RS256'));
      } catch (cause) {
        throw new CollectorError(
          'INVALID_KEY',
          `oauth.publicKeys[${index}] is not an RSA public key in PEM (SPKI, "-----BEGIN PUBLIC KEY-----"): ${(cause as Error).message}`,
          { cause },
        );
      }
    }
    let jwks: JWTVerifyGetKey | undefined;
    if (options.jwks !== undefined) {
      if (!Array.isArray(options.jwks.keys)) {
        throw new CollectorError(
          'INVALID_KEY',
          'oauth.jwks must be a JSON Web Key Set: { "keys": [...] }.',
        );
      }
      jwks = createLocalJWKSet({ keys: options.jwks.keys });
    }
    const ttl = options.tokenTtlSeconds;
    if (ttl !== undefined && !(Number.isFinite(ttl) && ttl > 0)) {
      throw new CollectorError(
        'INVALID_OPTIONS',
        `oauth.tokenTtlSeconds must be a positive number, got ${ttl}.`,
      );
    }
    return new TokenIssuer(keys, jwks, options);
  }

  /** Whether any key is configured; without one every assertion is refused. */
  get enabled(): boolean {
    return this.#keys.length > 0 || this.#jwks !== undefined;
  }

  /**
   * Answers a `client_credentials` grant whose form was sent to `/token`.
   * @param audiences the `aud` values accepted: the collector's own URLs.
   */
  async issue(form: URLSearchParams, audiences: string[]): Promise<TokenResult> {
    const fail = (status: 400 | 401, error: string, description: string): TokenResult => ({
      status,
      body: { error, error_description: description },
    });
    if (form.get('grant_type') !== 'client_credentials') {
      return fail(400, 'unsupported_grant_type', 'grant_type must be client_credentials.');
    }
    if (form.get('client_assertion_type') !== ASSERTION_TYPE) {
      return fail(400, 'invalid_request', `client_assertion_type must be ${ASSERTION_TYPE}.`);
    }
    const assertion = form.get('client_assertion');
    if (!assertion) return fail(400, 'invalid_request', 'client_assertion is missing.');
    if (!this.enabled) {
      return fail(
        401,
        'invalid_client',
        'The collector has no OAuth public key: start it with --oauth-public-key <file> (or oauth.publicKeys / oauth.jwks).',
      );
    }
    let payload: Record<string, unknown>;
    try {
      payload = await this.#verify(assertion, audiences);
    } catch (error) {
      return this.#explain(error, fail);
    }
    const clientId = payload.iss;
    if (typeof clientId !== 'string' || clientId !== payload.sub) {
      return fail(401, 'invalid_client', 'The assertion must have iss = sub = the client id.');
    }
    if (this.#clientIds !== undefined && !this.#clientIds.has(clientId)) {
      return fail(401, 'invalid_client', `Unknown client id "${clientId}".`);
    }
    const token = randomBytes(24).toString('base64url');
    this.#tokens.set(token, { clientId, expiresAt: Date.now() + this.#ttl * 1000 });
    this.#prune();
    return {
      status: 200,
      clientId,
      body: {
        access_token: token,
        token_type: 'Bearer',
        expires_in: this.#ttl,
        scope: form.get('scope') || DEFAULT_SCOPE,
      },
    };
  }

  /** Checks a bearer token this issuer handed out. */
  check(
    token: string,
  ): { ok: true; clientId: string } | { ok: false; reason: 'unknown_token' | 'expired_token' } {
    const entry = this.#tokens.get(token);
    if (entry === undefined) return { ok: false, reason: 'unknown_token' };
    if (entry.expiresAt <= Date.now()) return { ok: false, reason: 'expired_token' };
    return { ok: true, clientId: entry.clientId };
  }

  async #verify(assertion: string, audiences: string[]): Promise<Record<string, unknown>> {
    const options = {
      algorithms: ['RS256'],
      audience: audiences,
      requiredClaims: ['iss', 'sub', 'aud', 'exp'],
      clockTolerance: 10,
    };
    if (this.#jwks !== undefined) {
      try {
        return (await jwtVerify(assertion, this.#jwks, options)).payload;
      } catch (error) {
        if (this.#keys.length === 0 || !isKeyMismatch(error)) throw error;
      }
    }
    let last: unknown;
    for (const key of this.#keys) {
      try {
        return (await jwtVerify(assertion, key, options)).payload;
      } catch (error) {
        // Only a wrong key is worth trying the next one for; a claim error is final.
        if (!isKeyMismatch(error)) throw error;
        last = error;
      }
    }
    throw last;
  }

  #explain(
    error: unknown,
    fail: (status: 400 | 401, error: string, d: string) => TokenResult,
  ): TokenResult {
    // Segment answers expiry and issue-time problems as invalid_request with these texts, which
    // clients (analytics-python) recognise and retry with a corrected clock skew.
    if (error instanceof errors.JWTExpired) return fail(400, 'invalid_request', 'Token is expired');
    if (error instanceof errors.JWTClaimValidationFailed) {
      if (error.claim === 'nbf' || error.claim === 'iat') {
        return fail(400, 'invalid_request', 'Token used before issued');
      }
      return fail(
        400,
        'invalid_request',
        `Invalid client assertion: ${error.message} (claim "${error.claim}").`,
      );
    }
    if (isKeyMismatch(error)) {
      return fail(
        401,
        'invalid_client',
        'The client assertion is not signed by a configured public key.',
      );
    }
    const message = error instanceof Error ? error.message : String(error);
    return fail(400, 'invalid_request', `Invalid client assertion: ${message}`);
  }

  #prune(): void {
    const now = Date.now();
    for (const [token, entry] of this.#tokens)
      if (entry.expiresAt <= now) this.#tokens.delete(token);
  }
}

function isKeyMismatch(error: unknown): boolean {
  return (
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys
  );
}
