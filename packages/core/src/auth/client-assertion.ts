import { SignJWT } from 'jose/jwt/sign';

/** Seconds the assertion is back-dated, absorbing clock drift and the `Date` header's 1 s resolution. */
export const ASSERTION_BACKDATE = 5;
/** Seconds from `iat` to `exp`: Segment accepts assertions valid for at most 60 s. */
export const ASSERTION_LIFETIME = 60;

/** What goes into one client-assertion JWT (RFC 7523 §3). */
export interface ClientAssertionClaims {
  clientId: string;
  keyId: string;
  /** The authorization server, without a trailing slash. */
  audience: string;
  /** The server's current time, in milliseconds since the epoch (local time corrected by the learnt skew). */
  serverNow: number;
  /** A unique id, so the server can reject a replayed assertion. */
  jti: string;
}

/**
 * Signs the JWT that proves the client's identity to the token endpoint: RS256 with `kid` and
 * `typ: JWT` in the header; `iss` = `sub` = client id, `aud` = the auth server, `iat` 5 s in
 * the past and `exp` 55 s ahead (by the server's clock), a fresh `jti`.
 */
export function signClientAssertion(
  key: CryptoKey,
  claims: ClientAssertionClaims,
): Promise<string> {
  const iat = Math.floor(claims.serverNow / 1000) - ASSERTION_BACKDATE;
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', kid: claims.keyId, typ: 'JWT' })
    .setIssuer(claims.clientId)
    .setSubject(claims.clientId)
    .setAudience(claims.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ASSERTION_LIFETIME)
    .setJti(claims.jti)
    .sign(key);
}
