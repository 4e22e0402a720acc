import { exportJWK, exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningCollector } from '../src/index.js';
import { startCollector } from '../src/index.js';
import { id, post } from './helpers.js';

const CLIENT_ID = 'tributary-test-client';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

let collector: RunningCollector;
let privatePem: string;
let strangerPem: string;

/** A client assertion as Segment's SDKs build it (RS256, kid, iss = sub = client id, aud = auth server). */
async function assertion(
  options: { pem?: string; aud?: string; iss?: string; expiresIn?: number } = {},
) {
  const key = await importPKCS8(options.pem ?? privatePem, 'RS256');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', kid: 'key-1', typ: 'JWT' })
    .setIssuer(options.iss ?? CLIENT_ID)
    .setSubject(options.iss ?? CLIENT_ID)
    .setAudience(options.aud ?? collector.url)
    .setIssuedAt(now - 5)
    .setExpirationTime(now + (options.expiresIn ?? 55))
    .setJti(crypto.randomUUID())
    .sign(key);
}

/** POST /token with the form body Segment's SDKs send (values not URL-encoded). */
async function requestToken(jwt: string, grantType = 'client_credentials') {
  const body = `grant_type=${grantType}&client_assertion_type=${ASSERTION_TYPE}&client_assertion=${jwt}&scope=tracking_api:write`;
  const response = await fetch(`${collector.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  privatePem = await exportPKCS8(pair.privateKey);
  const stranger = await generateKeyPair('RS256', { extractable: true });
  strangerPem = await exportPKCS8(stranger.privateKey);
  collector = await startCollector({
    port: 0,
    writeKeys: ['only-key'],
    oauth: {
      publicKeys: [await exportSPKI(pair.publicKey)],
      clientIds: [CLIENT_ID],
      tokenTtlSeconds: 600,
    },
  });
});
afterEach(() => vi.useRealTimers());
afterAll(() => collector.close());

describe('POST /token', () => {
  it('issues a bearer token for a valid client assertion, answering like Segment with a Date header', async () => {
    const res = await requestToken(await assertion());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 600,
      scope: 'tracking_api:write',
    });
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(Math.abs(Date.parse(res.headers.get('date')!) - Date.now())).toBeLessThan(60_000);
    expect(collector.stats().tokensIssued).toBeGreaterThanOrEqual(1);
  });

  it('accepts the token URL and a trailing slash as the audience', async () => {
    expect((await requestToken(await assertion({ aud: `${collector.url}/token` }))).status).toBe(
      200,
    );
    expect((await requestToken(await assertion({ aud: `${collector.url}/` }))).status).toBe(200);
  });

  it('refuses an assertion signed by an unknown key with 401 invalid_client', async () => {
    const res = await requestToken(await assertion({ pem: strangerPem }));
    expect(res).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  });

  it('refuses an expired assertion with 400 "Token is expired"', async () => {
    const res = await requestToken(await assertion({ expiresIn: -120 }));
    expect(res).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', error_description: 'Token is expired' },
    });
  });

  it('refuses another audience, an unknown client and another grant type', async () => {
    expect(
      (await requestToken(await assertion({ aud: 'https://oauth2.segment.io' }))).body,
    ).toMatchObject({ error: 'invalid_request' });
    expect((await requestToken(await assertion({ iss: 'intruder' }))).body).toMatchObject({
      error: 'invalid_client',
    });
    expect((await requestToken(await assertion(), 'password')).body).toMatchObject({
      error: 'unsupported_grant_type',
    });
  });

  it('counts refused token requests by their OAuth error and lists them', () => {
    expect(collector.stats().rejectedRequests).toMatchObject({
      invalid_client: 2,
      invalid_request: 2,
      unsupported_grant_type: 1,
    });
    expect(
      collector.rejections().some((r) => r.path === '/token' && r.reason === 'invalid_client'),
    ).toBe(true);
  });
});

describe('ingestion with a bearer token', () => {
  const batch = () => ({
    batch: [{ type: 'track', userId: 'u', event: 'OAuth Works', messageId: id() }],
  });

  it('accepts a token from POST /token even though the write key is not a configured one', async () => {
    const token = (await requestToken(await assertion())).body.access_token as string;
    const res = await post(
      collector.url,
      '/v1/batch',
      { ...batch(), writeKey: 'not-configured' },
      { headers: { authorization: `Bearer ${token}` } },
    );
    expect(res).toMatchObject({ status: 200, body: { success: true } });
  });

  it('refuses an expired token with 401 expired_token', async () => {
    const token = (await requestToken(await assertion())).body.access_token as string;
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 601_000);
    const res = await post(collector.url, '/v1/batch', batch(), {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res).toMatchObject({ status: 401, body: { code: 'expired_token' } });
  });

  it('verifies assertions against a JWKS', async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'RS256' };
    const jwksCollector = await startCollector({ port: 0, oauth: { jwks: { keys: [jwk] } } });
    try {
      const jwt = await new SignJWT({})
        .setProtectedHeader({ alg: 'RS256', kid: 'key-1' })
        .setIssuer('c')
        .setSubject('c')
        .setAudience(jwksCollector.url)
        .setIssuedAt()
        .setExpirationTime('55s')
        .sign(pair.privateKey);
      const res = await fetch(`${jwksCollector.url}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_assertion_type: ASSERTION_TYPE,
          client_assertion: jwt,
        }),
      });
      expect(res.status).toBe(200);
    } finally {
      await jwksCollector.close();
    }
  });
});
