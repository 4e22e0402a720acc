import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import type { CryptoKey } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { TokenIssuer } from './token-issuer.js';

const AUD = 'http://127.0.0.1:4318';
let privateKey: CryptoKey;
let publicPem: string;
let otherPrivateKey: CryptoKey;
let publicJwk: JsonWebKey;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  privateKey = pair.privateKey;
  publicPem = await exportSPKI(pair.publicKey);
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'RS256' } as JsonWebKey;
  otherPrivateKey = (await generateKeyPair('RS256', { extractable: true })).privateKey;
});

const assertion = (
  claims: { iss?: string; sub?: string; aud?: string; exp?: number; iat?: number } = {},
  key = privateKey,
) => {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', kid: 'key-1', typ: 'JWT' })
    .setIssuer(claims.iss ?? 'client-1')
    .setSubject(claims.sub ?? 'client-1')
    .setAudience(claims.aud ?? AUD)
    .setIssuedAt(claims.iat ?? now - 5)
    .setExpirationTime(claims.exp ?? now + 55)
    .setJti('jti')
    .sign(key);
};
const form = (jwt: string, extra: Record<string, string> = {}) =>
  new URLSearchParams({
    grant_type: 'client_credentials',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: jwt,
    scope: 'tracking_api:write',
    ...extra,
  });

describe('TokenIssuer', () => {
  it('issues an opaque expiring bearer token for an assertion signed by a configured key', async () => {
    const issuer = await TokenIssuer.create({ publicKeys: [publicPem], tokenTtlSeconds: 120 });
    const result = await issuer.issue(form(await assertion()), [AUD]);
    expect(result).toMatchObject({
      status: 200,
      clientId: 'client-1',
      body: {
        token_type: 'Bearer',
        expires_in: 120,
        scope: 'tracking_api:write',
        access_token: expect.any(String),
      },
    });
    if (result.status !== 200) throw new Error('expected a token');
    expect(result.body.access_token.split('.')).toHaveLength(1);
    expect(issuer.check(result.body.access_token)).toEqual({ ok: true, clientId: 'client-1' });
    expect(issuer.check('made-up')).toEqual({ ok: false, reason: 'unknown_token' });
  });

  it('verifies assertions against a JWKS', async () => {
    const issuer = await TokenIssuer.create({ jwks: { keys: [publicJwk] } });
    expect((await issuer.issue(form(await assertion()), [AUD])).status).toBe(200);
  });

  it('refuses an assertion signed by another key as invalid_client', async () => {
    const issuer = await TokenIssuer.create({ publicKeys: [publicPem] });
    expect(await issuer.issue(form(await assertion({}, otherPrivateKey)), [AUD])).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });
  });

  it('answers an expired assertion with Segment\'s "Token is expired"', async () => {
    const issuer = await TokenIssuer.create({ publicKeys: [publicPem] });
    const now = Math.floor(Date.now() / 1000);
    expect(
      await issuer.issue(form(await assertion({ iat: now - 600, exp: now - 300 })), [AUD]),
    ).toEqual({
      status: 400,
      body: { error: 'invalid_request', error_description: 'Token is expired' },
    });
  });

  it('refuses a wrong audience, iss differing from sub, and unknown client ids', async () => {
    const issuer = await TokenIssuer.create({ publicKeys: [publicPem], clientIds: ['client-1'] });
    expect(
      await issuer.issue(form(await assertion({ aud: 'https://oauth2.segment.io' })), [AUD]),
    ).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', error_description: expect.stringContaining('"aud"') },
    });
    expect(await issuer.issue(form(await assertion({ sub: 'someone-else' })), [AUD])).toMatchObject(
      {
        status: 401,
        body: { error: 'invalid_client' },
      },
    );
    expect(
      await issuer.issue(form(await assertion({ iss: 'client-2', sub: 'client-2' })), [AUD]),
    ).toMatchObject({
      status: 401,
      body: { error: 'invalid_client', error_description: 'Unknown client id "client-2".' },
    });
  });

  it('refuses other grant types, a missing assertion, and everything when no key is configured', async () => {
    const issuer = await TokenIssuer.create({ publicKeys: [publicPem] });
    const jwt = await assertion();
    expect((await issuer.issue(form(jwt, { grant_type: 'password' }), [AUD])).body).toMatchObject({
      error: 'unsupported_grant_type',
    });
    expect((await issuer.issue(form('', {}), [AUD])).body).toMatchObject({
      error: 'invalid_request',
    });
    const unconfigured = await TokenIssuer.create();
    expect(unconfigured.enabled).toBe(false);
    expect(await unconfigured.issue(form(jwt), [AUD])).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });
  });

  it('refuses to start with a key that is not an SPKI public key', async () => {
    await expect(TokenIssuer.create({ publicKeys: ['not a key'] })).rejects.toMatchObject({
      code: 'INVALID_KEY',
    });
  });
});
