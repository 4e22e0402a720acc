import { exportPKCS8, generateKeyPair, jwtVerify, decodeProtectedHeader } from 'jose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TransportRequest, TransportResponse } from '../delivery/transport.js';
import { AnalyticsError, DeliveryError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { OAuthOptions } from '../options.js';
import { TokenManager } from './token-manager.js';

let privateKey: string;
let publicKey: CryptoKey;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  privateKey = await exportPKCS8(pair.privateKey);
  publicKey = pair.publicKey;
});

afterEach(() => {
  vi.useRealTimers();
});

const AUTH_SERVER = 'https://oauth2.example.test';

/** `n` counts the token requests, from 1. */
type Handler = (
  request: TransportRequest,
  form: URLSearchParams,
  n: number,
) => TransportResponse | Promise<TransportResponse>;

function tokenResponse(
  token: string,
  expiresIn = 3600,
  headers: Record<string, string> = {},
): TransportResponse {
  return {
    status: 200,
    headers: { 'content-type': 'application/json', date: new Date().toUTCString(), ...headers },
    body: JSON.stringify({
      access_token: token,
      token_type: 'Bearer',
      expires_in: expiresIn,
      scope: 'tracking_api:write',
    }),
  };
}

function errorResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): TransportResponse {
  return {
    status,
    headers: { date: new Date().toUTCString(), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

function setup(
  handler: Handler = (_r, _f, n) => tokenResponse(`token-${n}`),
  oauth: Partial<OAuthOptions> = {},
) {
  const requests: { request: TransportRequest; form: URLSearchParams }[] = [];
  const lines: string[] = [];
  const logger: Logger = {
    debug: (m) => lines.push(`debug ${m}`),
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
  };
  const manager = new TokenManager(
    {
      clientId: 'client-1',
      clientKey: privateKey,
      keyId: 'key-1',
      authServer: AUTH_SERVER,
      scope: 'tracking_api:write',
      maxRetries: 3,
      ...oauth,
    },
    {
      transport: async (request) => {
        const form = new URLSearchParams(request.body as string);
        requests.push({ request, form });
        return handler(request, form, requests.length);
      },
      logger,
      timeout: 1_000,
      retryBaseDelay: 1,
      retryMaxDelay: 5,
    },
  );
  return { manager, requests, lines };
}

async function rejection(promise: Promise<unknown>): Promise<DeliveryError> {
  try {
    await promise;
  } catch (error) {
    return error as DeliveryError;
  }
  throw new Error('expected a rejection');
}

describe('TokenManager', () => {
  it('signs an RS256 assertion with kid and typ, iss = sub = clientId, aud = the auth server, a 60 s lifetime and a fresh jti', async () => {
    const { manager, requests } = setup(undefined, { authServer: `${AUTH_SERVER}/` });
    manager.invalidate(await manager.getToken());
    await manager.getToken();
    const assertions = requests.map((r) => r.form.get('client_assertion')!);
    expect(decodeProtectedHeader(assertions[0]!)).toEqual({
      alg: 'RS256',
      kid: 'key-1',
      typ: 'JWT',
    });
    const claims = await Promise.all(
      assertions.map(
        async (jwt) =>
          (
            await jwtVerify(jwt, publicKey, {
              audience: AUTH_SERVER,
              issuer: 'client-1',
              subject: 'client-1',
            })
          ).payload,
      ),
    );
    const now = Math.floor(Date.now() / 1000);
    expect(claims[0]!.iat).toBeGreaterThanOrEqual(now - 7);
    expect(claims[0]!.iat).toBeLessThanOrEqual(now - 4);
    expect(claims[0]!.exp! - claims[0]!.iat!).toBe(60);
    expect(claims[0]!.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(claims[1]!.jti).not.toBe(claims[0]!.jti);
    expect(requests[0]!.request.url).toBe(`${AUTH_SERVER}/token`);
  });

  it('posts a form-encoded client_credentials request with percent-encoded values', async () => {
    const { manager, requests } = setup(undefined, { scope: 'tracking_api:write extra' });
    await manager.getToken();
    const { request, form } = requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request.body).toBe(
      'grant_type=client_credentials' +
        '&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer' +
        `&client_assertion=${form.get('client_assertion')}` +
        '&scope=tracking_api%3Awrite+extra',
    );
  });

  it('serves the cached token without a request until it is due for refresh', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { manager, requests } = setup();
    expect(await manager.getToken()).toBe('token-1');
    vi.setSystemTime(Date.now() + 54 * 60_000);
    expect(await manager.getToken()).toBe('token-1');
    expect(requests).toHaveLength(1);
  });

  it('refreshes in the background once due, handing out the current token meanwhile', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { manager, requests } = setup();
    await manager.getToken();
    vi.setSystemTime(Date.now() + 55 * 60_000);
    expect(await manager.getToken()).toBe('token-1');
    await vi.waitFor(() => expect(requests).toHaveLength(2), { timeout: 10_000 });
    await vi.waitFor(async () => expect(await manager.getToken()).toBe('token-2'), {
      timeout: 10_000,
    });
    expect(requests).toHaveLength(2);
  });

  it('waits for a new token once the cached one is within 30 s of its expiry', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { manager, requests } = setup();
    await manager.getToken();
    vi.setSystemTime(Date.now() + 3_570_000);
    expect(await manager.getToken()).toBe('token-2');
    expect(requests).toHaveLength(2);
  });

  it('retries a failed background refresh later, keeping the current token in use', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    let fail = false;
    const { manager, requests, lines } = setup((_r) =>
      fail
        ? errorResponse(400, { error: 'invalid_client' })
        : tokenResponse(`token-${requests.length}`),
    );
    await manager.getToken();
    fail = true;
    vi.setSystemTime(Date.now() + 55 * 60_000);
    expect(await manager.getToken()).toBe('token-1');
    await vi.waitFor(
      () =>
        expect(
          lines.some((l) => l.startsWith('warn could not refresh the OAuth token ahead')),
        ).toBe(true),
      { timeout: 10_000 },
    );
    expect(await manager.getToken()).toBe('token-1');
    expect(requests).toHaveLength(2);
  });

  it('shares one request between concurrent callers', async () => {
    const { manager, requests } = setup(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return tokenResponse('shared');
    });
    const tokens = await Promise.all(Array.from({ length: 10 }, () => manager.getToken()));
    expect(new Set(tokens)).toEqual(new Set(['shared']));
    expect(requests).toHaveLength(1);
  });

  it('requests a new token after the current one is invalidated, and ignores a stale one', async () => {
    const { manager, requests } = setup();
    const first = await manager.getToken();
    manager.invalidate(first);
    const second = await manager.getToken();
    manager.invalidate(first);
    expect(await manager.getToken()).toBe(second);
    expect(second).not.toBe(first);
    expect(requests).toHaveLength(2);
  });

  it('dates the next assertion by the server clock learnt from the Date header', async () => {
    const serverAhead = 2 * 3600_000;
    const { manager, requests } = setup(() =>
      tokenResponse(`token-${requests.length}`, 3600, {
        date: new Date(Date.now() + serverAhead).toUTCString(),
      }),
    );
    manager.invalidate(await manager.getToken());
    await manager.getToken();
    const iat = (form: URLSearchParams) =>
      JSON.parse(
        atob(form.get('client_assertion')!.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')),
      ).iat as number;
    const serverNow = (Date.now() + serverAhead) / 1000;
    expect(Math.abs(iat(requests[0]!.form) + 5 - Date.now() / 1000)).toBeLessThan(3);
    expect(Math.abs(iat(requests[1]!.form) + 5 - serverNow)).toBeLessThan(3);
  });

  it('retries at once with the corrected clock when the server says the assertion expired', async () => {
    const serverAhead = 3600_000;
    const { manager, requests } = setup(async (_r, form) => {
      const date = new Date(Date.now() + serverAhead).toUTCString();
      try {
        await jwtVerify(form.get('client_assertion')!, publicKey, {
          currentDate: new Date(Date.now() + serverAhead),
        });
      } catch {
        return errorResponse(
          400,
          { error: 'invalid_request', error_description: 'Token is expired' },
          { date },
        );
      }
      return tokenResponse('fresh', 3600, { date });
    });
    expect(await manager.getToken()).toBe('fresh');
    expect(requests).toHaveLength(2);
  });

  it('retries 5xx answers and network errors up to maxRetries, then rejects with AUTH_FAILED', async () => {
    const { manager, requests } = setup(() => {
      if (requests.length % 2 === 0) throw new Error('socket hang up');
      return errorResponse(503, 'Service Unavailable');
    });
    const error = await rejection(manager.getToken());
    expect(requests).toHaveLength(4);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.retriable).toBe(true);
    expect(error.message).toBe(
      `OAuth token request to ${AUTH_SERVER}/token failed: the request failed: socket hang up; gave up after 4 attempt(s)`,
    );
  });

  it('recovers when a retry succeeds', async () => {
    const { manager, requests } = setup(() =>
      requests.length < 3 ? errorResponse(500, '') : tokenResponse('recovered'),
    );
    expect(await manager.getToken()).toBe('recovered');
    expect(requests).toHaveLength(3);
  });

  it('treats 400 and 401 as final and quotes the server’s error and error_description', async () => {
    for (const status of [400, 401]) {
      const { manager, requests } = setup(() =>
        errorResponse(status, { error: 'invalid_client', error_description: 'Unknown key id' }),
      );
      const error = await rejection(manager.getToken());
      expect(requests).toHaveLength(1);
      expect(error.code).toBe('AUTH_FAILED');
      expect(error.status).toBe(status);
      expect(error.retriable).toBe(false);
      expect(error.message).toBe(
        `OAuth token request to ${AUTH_SERVER}/token failed: the server answered HTTP ${status}: invalid_client (Unknown key id)`,
      );
    }
  });

  it('counts 429 waits as retries', async () => {
    const { manager, requests, lines } = setup(
      () => errorResponse(429, '', { 'retry-after': '0' }),
      { maxRetries: 2 },
    );
    const error = await rejection(manager.getToken());
    expect(requests).toHaveLength(3);
    expect(error.message).toMatch(/answered HTTP 429; gave up after 3 attempt\(s\)$/);
    expect(
      lines.filter((l) => l.startsWith('warn the OAuth token endpoint is rate limiting')),
    ).toHaveLength(2);
  });

  it('rejects a 2xx answer without an access_token, without quoting its body', async () => {
    const { manager } = setup(() => ({
      status: 200,
      headers: {},
      body: '{"token":"not-the-field"}',
    }));
    const error = await rejection(manager.getToken());
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.message).toMatch(/answered HTTP 200 without an access_token$/);
    expect(error.message).not.toContain('not-the-field');
  });

  it('assumes a 60 s lifetime when expires_in is missing', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { manager, requests } = setup(() => ({
      status: 200,
      headers: {},
      body: JSON.stringify({ access_token: `t${requests.length}` }),
    }));
    await manager.getToken();
    vi.setSystemTime(Date.now() + 55_000);
    expect(await manager.getToken()).toBe('t2');
  });

  it('never quotes an assertion or a token the server echoes back in its error', async () => {
    const { manager, requests } = setup((_r, form) =>
      errorResponse(400, {
        error: 'invalid_grant',
        error_description: `bad assertion ${form.get('client_assertion')}`,
      }),
    );
    const error = await rejection(manager.getToken());
    const assertion = requests[0]!.form.get('client_assertion')!;
    expect(error.message).toContain('invalid_grant (bad assertion [redacted])');
    expect(error.message).not.toContain(assertion);
    expect(error.message).not.toContain(assertion.split('.')[2]!);
  });

  it('lists the current token and the last assertion as secrets', async () => {
    const { manager, requests } = setup();
    const token = await manager.getToken();
    expect(manager.secrets()).toEqual([token, requests[0]!.form.get('client_assertion')]);
  });

  it('rejects a waiting caller with its signal’s reason while the shared request carries on', async () => {
    let release!: () => void;
    const { manager, requests } = setup(async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return tokenResponse('late');
    });
    const controller = new AbortController();
    const waiting = manager.getToken(controller.signal);
    await vi.waitFor(() => expect(requests).toHaveLength(1), { timeout: 10_000 });
    const reason = new AnalyticsError('TIMEOUT', 'deadline');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    const other = manager.getToken();
    release();
    expect(await other).toBe('late');
    expect(requests).toHaveLength(1);
  });

  it('rejects waiters with CLIENT_CLOSED when closed during a retry wait', async () => {
    const { manager, requests } = setup(() => errorResponse(429, '', { 'retry-after': '60' }));
    const waiting = manager.getToken();
    await vi.waitFor(() => expect(requests).toHaveLength(1), { timeout: 10_000 });
    manager.close();
    await expect(waiting).rejects.toMatchObject({ code: 'CLIENT_CLOSED' });
    await expect(manager.getToken()).rejects.toMatchObject({ code: 'CLIENT_CLOSED' });
  });

  it('throws INVALID_OPTIONS at construction for a malformed key, without quoting it', () => {
    const bad = privateKey.replace(/\n[A-Za-z0-9+/]{64}\n/, '\n');
    let thrown: unknown;
    try {
      setup(undefined, { clientKey: bad });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AnalyticsError);
    expect(thrown).toMatchObject({ code: 'INVALID_OPTIONS' });
    expect((thrown as Error).message).toMatch(
      /^Invalid Analytics options:\n- "oauth.clientKey" is not a valid PKCS#8 private key/,
    );
    for (const line of privateKey.split('\n').slice(1, -2))
      expect((thrown as Error).message).not.toContain(line);
  });

  it('reports a key that has the right shape but cannot be imported as AUTH_FAILED from getToken', async () => {
    // A PrivateKeyInfo whose RSAPrivateKey stops after a 2048-bit modulus: the shape check passes, Web Crypto refuses it.
    const der = (tag: number, body: number[]): number[] => {
      const n = body.length;
      const length = n < 128 ? [n] : n < 256 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
      return [tag, ...length, ...body];
    };
    const modulus = [0x00, 0xc0, ...Array.from({ length: 255 }, () => 0x01)];
    const rsa = der(0x30, [...der(0x02, [0]), ...der(0x02, modulus)]);
    const algorithm = der(0x30, [
      ...der(0x06, [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]),
      0x05,
      0x00,
    ]);
    const info = der(0x30, [...der(0x02, [0]), ...algorithm, ...der(0x04, rsa)]);
    const pem = `-----BEGIN PRIVATE KEY-----\n${btoa(String.fromCharCode(...info))}\n-----END PRIVATE KEY-----`;
    const { manager, requests } = setup(undefined, { clientKey: pem });
    const error = await rejection(manager.getToken());
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.message).toMatch(
      /"oauth.clientKey" could not be imported as an RS256 private key/,
    );
    expect(requests).toHaveLength(0);
  });
});
