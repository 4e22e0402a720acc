import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startForwardProxy } from './helpers/forward-proxy.js';
import { decodeProtectedHeader, exportPKCS8, generateKeyPair, jwtVerify } from 'jose';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  Analytics,
  AnalyticsError,
  createDefaultClient,
  createFetchTransport,
  type AnalyticsOptions,
  type Logger,
} from '../src/index.js';

const CLIENT_ID = 'client-7Hq';
const KEY_ID = 'key-2024-01';
const WRITE_KEY = 'write-key-oauth';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

let privateKey: string;
let publicKey: CryptoKey;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  privateKey = await exportPKCS8(pair.privateKey);
  publicKey = pair.publicKey;
});

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Drop the connection instead of answering. */
  destroy?: boolean;
}

interface TokenRequest {
  at: number;
  rawBody: string;
  contentType: string | undefined;
  assertion: string;
  /** Why the endpoint refused the request on its own checks, if it did. */
  refused: string | undefined;
}

/**
 * A token endpoint like Segment's: verifies the form and the assertion's signature, claims and
 * jti, and issues expiring opaque tokens. `override` answers a request in its place.
 */
class TokenEndpoint {
  readonly requests: TokenRequest[] = [];
  readonly tokens = new Map<string, number>();
  readonly jtis = new Set<string>();
  expiresIn = 3600;
  delay = 0;
  override: ((n: number, request: TokenRequest) => Reply | undefined) | undefined;
  url = '';
  readonly #server: Server;

  constructor() {
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  async start(): Promise<this> {
    await listen(this.#server);
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    return shutdown(this.#server);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    const form = new URLSearchParams(rawBody);
    const request: TokenRequest = {
      at: Date.now(),
      rawBody,
      contentType: req.headers['content-type'],
      assertion: form.get('client_assertion') ?? '',
      refused: undefined,
    };
    this.requests.push(request);
    if (this.delay > 0) await new Promise((resolve) => setTimeout(resolve, this.delay));
    const reply =
      this.override?.(this.requests.length, request) ?? (await this.#issue(req, form, request));
    if (reply.destroy === true) {
      req.socket.destroy();
      return;
    }
    res.writeHead(reply.status, {
      'content-type': 'application/json',
      date: new Date().toUTCString(),
      ...reply.headers,
    });
    res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
  }

  async #issue(req: IncomingMessage, form: URLSearchParams, request: TokenRequest): Promise<Reply> {
    const refuse = (error: string, description: string): Reply => {
      request.refused = `${error}: ${description}`;
      return { status: 400, body: { error, error_description: description } };
    };
    if (req.url !== '/token' || req.method !== 'POST')
      return { status: 404, body: { error: 'not_found' } };
    if (req.headers['content-type'] !== 'application/x-www-form-urlencoded')
      return refuse('invalid_request', 'bad content type');
    if (form.get('grant_type') !== 'client_credentials')
      return refuse('unsupported_grant_type', 'grant_type');
    if (form.get('client_assertion_type') !== ASSERTION_TYPE)
      return refuse('invalid_request', 'client_assertion_type');
    if (form.get('scope') !== 'tracking_api:write') return refuse('invalid_scope', 'scope');
    try {
      const { payload, protectedHeader } = await jwtVerify(request.assertion, publicKey, {
        algorithms: ['RS256'],
        audience: this.url,
        issuer: CLIENT_ID,
        subject: CLIENT_ID,
        typ: 'JWT',
        maxTokenAge: 60,
        requiredClaims: ['iat', 'exp', 'jti'],
      });
      if (protectedHeader.kid !== KEY_ID) return refuse('invalid_client', 'unknown kid');
      if (payload.exp! - payload.iat! > 60)
        return refuse('invalid_client', 'assertion lives too long');
      if (this.jtis.has(payload.jti!)) return refuse('invalid_grant', 'jti replayed');
      this.jtis.add(payload.jti!);
    } catch (error) {
      return refuse('invalid_client', `assertion rejected: ${(error as Error).message}`);
    }
    const token = `tok_${this.tokens.size + 1}_${randomBytes(12).toString('hex')}`;
    this.tokens.set(token, Date.now() + this.expiresIn * 1000);
    return {
      status: 200,
      body: {
        access_token: token,
        token_type: 'Bearer',
        expires_in: this.expiresIn,
        scope: 'tracking_api:write',
      },
    };
  }
}

interface Ingested {
  authorization: string | undefined;
  body: { batch: { event?: string }[]; writeKey: string };
}

/** A Tracking API that accepts only live tokens from `issuer`; `revoked` tokens get a 401. */
class IngestionServer {
  readonly received: Ingested[] = [];
  readonly refused: string[] = [];
  readonly revoked = new Set<string>();
  /** Answer 401 to every request, whatever its token. */
  refuseAll = false;
  url = '';
  readonly #server: Server;

  constructor(readonly issuer: TokenEndpoint) {
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  async start(): Promise<this> {
    await listen(this.#server);
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    return shutdown(this.#server);
  }

  /** Tokens the accepted batches carried, in order. */
  get tokensUsed(): string[] {
    return this.received.map((r) => r.authorization?.replace(/^Bearer /, '') ?? '');
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = JSON.parse(await readBody(req)) as Ingested['body'];
    const authorization = req.headers.authorization;
    const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    const expiresAt = token === undefined ? undefined : this.issuer.tokens.get(token);
    if (
      this.refuseAll ||
      token === undefined ||
      expiresAt === undefined ||
      expiresAt <= Date.now() ||
      this.revoked.has(token)
    ) {
      this.refused.push(authorization ?? '');
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"error":"Unauthorized"}');
      return;
    }
    this.received.push({ authorization, body });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"success":true}');
  }
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
}

function shutdown(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

interface Harness {
  analytics: Analytics;
  tokens: TokenEndpoint;
  api: IngestionServer;
  errors: AnalyticsError[];
  logs: string[];
}

async function harness(
  options: Partial<AnalyticsOptions> = {},
  configure?: (tokens: TokenEndpoint) => void,
): Promise<Harness> {
  const tokens = await new TokenEndpoint().start();
  configure?.(tokens);
  const api = await new IngestionServer(tokens).start();
  const errors: AnalyticsError[] = [];
  const logs: string[] = [];
  const logger: Logger = {
    debug: (m, ...a) => logs.push(['debug', m, ...a.map(String)].join(' ')),
    info: (m, ...a) => logs.push(['info', m, ...a.map(String)].join(' ')),
    warn: (m, ...a) => logs.push(['warn', m, ...a.map(String)].join(' ')),
    error: (m, ...a) => logs.push(['error', m, ...a.map(String)].join(' ')),
  };
  const analytics = new Analytics({
    writeKey: WRITE_KEY,
    host: api.url,
    flushOnExit: false,
    retryBaseDelay: 5,
    retryMaxDelay: 20,
    debug: true,
    logger,
    onError: (error) => errors.push(error),
    ...options,
    // The trailing slash is stripped: the token URL is {authServer}/token and aud is {authServer}.
    oauth: {
      clientId: CLIENT_ID,
      clientKey: privateKey,
      keyId: KEY_ID,
      authServer: `${tokens.url}/`,
      ...options.oauth,
    },
  });
  cleanup.push(
    () => tokens.close(),
    () => api.close(),
    () => analytics.close({ timeout: 2_000 }),
  );
  return { analytics, tokens, api, errors, logs };
}

describe('OAuth 2.0 for the Tracking API', () => {
  it('delivers a batch with a bearer token obtained with a signed client assertion', async () => {
    const { analytics, tokens, api, errors } = await harness();
    analytics.track('user-1', 'Signed Up', { plan: 'Enterprise' });
    const report = await analytics.flush();

    expect(report).toEqual({ delivered: 1, failed: 0, pending: 0 });
    expect(errors).toEqual([]);
    expect(tokens.requests).toHaveLength(1);
    const request = tokens.requests[0]!;
    expect(request.refused).toBeUndefined();
    expect(request.contentType).toBe('application/x-www-form-urlencoded');
    expect(request.rawBody).toBe(
      `grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer` +
        `&client_assertion=${request.assertion}&scope=tracking_api%3Awrite`,
    );
    expect(decodeProtectedHeader(request.assertion)).toEqual({
      alg: 'RS256',
      kid: KEY_ID,
      typ: 'JWT',
    });
    expect(api.received).toHaveLength(1);
    expect(api.received[0]!.authorization).toBe(`Bearer ${[...tokens.tokens.keys()][0]}`);
    expect(api.received[0]!.body.writeKey).toBe(WRITE_KEY);
    expect(api.received[0]!.body.batch[0]!.event).toBe('Signed Up');
  });

  it('requests a new token once the cached one has expired', async () => {
    const { analytics, tokens, api } = await harness({}, (t) => (t.expiresIn = 1));
    analytics.track('user-1', 'First');
    await analytics.flush();
    // Let the 1 s token run out (it stops being used 100 ms before that).
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    analytics.track('user-1', 'Second');
    const report = await analytics.flush();

    expect(report.delivered).toBe(1);
    expect(tokens.requests).toHaveLength(2);
    expect(api.refused).toEqual([]);
    expect(api.tokensUsed).toEqual([...tokens.tokens.keys()]);
  });

  it('shares one token request between concurrent batches', async () => {
    const { analytics, tokens, api } = await harness(
      { flushAt: 1, maxConcurrentRequests: 4 },
      (t) => (t.delay = 150),
    );
    for (let i = 0; i < 8; i++) analytics.track('user-1', `Event ${i}`);
    const report = await analytics.flush();

    expect(report).toEqual({ delivered: 8, failed: 0, pending: 0 });
    expect(api.received).toHaveLength(8);
    expect(tokens.requests).toHaveLength(1);
    expect(new Set(api.tokensUsed).size).toBe(1);
  });

  it('waits as long as Retry-After says when the token endpoint answers 429', async () => {
    const { analytics, tokens, errors, logs } = await harness({}, (t) => {
      t.override = (n) =>
        n === 1
          ? { status: 429, headers: { 'retry-after': '1' }, body: { error: 'rate_limited' } }
          : undefined;
    });
    analytics.track('user-1', 'Rate Limited');
    const report = await analytics.flush();

    expect(report.delivered).toBe(1);
    expect(errors).toEqual([]);
    expect(tokens.requests).toHaveLength(2);
    expect(tokens.requests[1]!.at - tokens.requests[0]!.at).toBeGreaterThanOrEqual(950);
    expect(logs.some((l) => l.includes('rate limiting (HTTP 429); retrying in 1000 ms'))).toBe(
      true,
    );
  });

  it('recovers from 5xx answers and dropped connections at the token endpoint', async () => {
    const { analytics, tokens, errors } = await harness({}, (t) => {
      t.override = (n) =>
        n === 1
          ? { status: 503, body: { error: 'unavailable' } }
          : n === 2
            ? { status: 0, destroy: true }
            : undefined;
    });
    analytics.track('user-1', 'Recovered');
    const report = await analytics.flush();

    expect(report.delivered).toBe(1);
    expect(errors).toEqual([]);
    expect(tokens.requests).toHaveLength(3);
  });

  it('reports an unrecoverable 400 from the token endpoint through onError with AUTH_FAILED', async () => {
    const { analytics, tokens, api, errors } = await harness({}, (t) => {
      t.override = () => ({
        status: 400,
        body: { error: 'invalid_client', error_description: 'The client is disabled' },
      });
    });
    analytics.track('user-1', 'Never Sent');
    const report = await analytics.flush();

    expect(report).toEqual({ delivered: 0, failed: 1, pending: 0 });
    expect(tokens.requests).toHaveLength(1);
    expect(api.received).toHaveLength(0);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe('AUTH_FAILED');
    expect(errors[0]!.message).toBe(
      `OAuth token request to ${tokens.url}/token failed: the server answered HTTP 400: invalid_client (The client is disabled)`,
    );
    expect(analytics.stats().dropped).toEqual({ AUTH_FAILED: 1 });
  });

  it('refuses a malformed key when the client is constructed, with a clear message', () => {
    const construct = (clientKey: string) => () =>
      new Analytics({
        writeKey: WRITE_KEY,
        flushOnExit: false,
        oauth: { clientId: CLIENT_ID, clientKey, keyId: KEY_ID },
      });
    const pkcs1 = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey;

    expect(construct('not a key')).toThrow(AnalyticsError);
    expect(construct('not a key')).toThrow(
      /^Invalid Analytics options:\n- "oauth.clientKey" is not a PEM key/,
    );
    expect(construct(pkcs1)).toThrow(
      /"oauth.clientKey" is a PKCS#1 RSA key .*openssl pkcs8 -topk8 -nocrypt/,
    );
    const lines = privateKey.trim().split('\n');
    const truncated = [...lines.slice(0, 5), ...lines.slice(-1)].join('\n');
    expect(construct(truncated)).toThrow(/"oauth.clientKey" is not a valid PKCS#8 private key/);
    try {
      construct(pkcs1)();
    } catch (error) {
      expect((error as AnalyticsError).code).toBe('INVALID_OPTIONS');
      expect((error as Error).message).not.toContain(pkcs1.split('\n')[1]!);
    }
  });

  it('invalidates the token and retries the batch once with a fresh one after a 401 from the Tracking API', async () => {
    const { analytics, tokens, api, errors } = await harness();
    analytics.track('user-1', 'Before Revocation');
    await analytics.flush();
    api.revoked.add([...tokens.tokens.keys()][0]!);

    analytics.track('user-1', 'After Revocation');
    const report = await analytics.flush();

    expect(report).toEqual({ delivered: 1, failed: 0, pending: 0 });
    expect(errors).toEqual([]);
    expect(tokens.requests).toHaveLength(2);
    expect(api.refused).toHaveLength(1);
    expect(api.tokensUsed).toEqual([...tokens.tokens.keys()]);
  });

  it('gives up on a batch the Tracking API refuses twice, after one fresh token', async () => {
    const { analytics, tokens, api, errors } = await harness();
    api.refuseAll = true;
    analytics.track('user-1', 'Refused');
    const report = await analytics.flush();

    expect(report.failed).toBe(1);
    expect(tokens.requests).toHaveLength(2);
    expect(api.refused).toHaveLength(2);
    expect(errors[0]!.code).toBe('HTTP_ERROR');
  });

  it('keeps the key, assertions and tokens out of logs, errors and stats', async () => {
    const { analytics, tokens, api, errors, logs } = await harness({}, (t) => {
      t.override = (n, request) =>
        n === 3
          ? {
              status: 400,
              body: { error: 'invalid_grant', error_description: `replayed ${request.assertion}` },
            }
          : undefined;
    });
    analytics.track('user-1', 'One');
    await analytics.flush();
    api.revoked.add([...tokens.tokens.keys()][0]!);
    analytics.track('user-1', 'Two');
    await analytics.flush();
    api.revoked.add([...tokens.tokens.keys()][1]!);
    analytics.track('user-1', 'Three');
    await analytics.flush();

    expect(errors.map((e) => e.code)).toEqual(['AUTH_FAILED']);
    expect(tokens.requests).toHaveLength(3);
    expect(logs.length).toBeGreaterThan(5);
    const published = [
      ...logs,
      ...errors.flatMap((e) => [e.message, String(e.cause), JSON.stringify(e)]),
      JSON.stringify(analytics.stats()),
    ].join('\n');
    const secrets = [
      ...tokens.tokens.keys(),
      ...tokens.requests.flatMap((r) => [r.assertion, r.assertion.split('.')[2]!]),
      ...privateKey.split('\n').filter((line) => line.length > 20),
    ];
    for (const secret of secrets) expect(published).not.toContain(secret);
    expect(published).toContain('invalid_grant (replayed [redacted])');
  });

  it('works with the fetch transport that edge runtimes use', async () => {
    const { analytics, tokens, api } = await harness({ transport: createFetchTransport() });
    analytics.track('user-1', 'On The Edge');
    const report = await analytics.flush();

    expect(report.delivered).toBe(1);
    expect(tokens.requests).toHaveLength(1);
    expect(api.received).toHaveLength(1);
  });

  it('is configured on the default client with the Python-style settings', async () => {
    const tokens = await new TokenEndpoint().start();
    const api = await new IngestionServer(tokens).start();
    const client = createDefaultClient();
    cleanup.push(
      () => tokens.close(),
      () => api.close(),
      () => client.close({ timeout: 2_000 }),
    );
    client.writeKey = WRITE_KEY;
    client.host = api.url;
    client.oauthClientId = CLIENT_ID;
    client.oauthClientKey = privateKey;
    client.oauthKeyId = KEY_ID;
    client.oauthAuthServer = tokens.url;
    client.track('user-1', 'Default Client');
    const report = await client.flush();

    expect(report.delivered).toBe(1);
    expect(tokens.requests).toHaveLength(1);
    expect(api.received[0]!.authorization).toMatch(/^Bearer tok_1_/);
  });

  it('requests its token through the same proxy as its batches', async () => {
    const proxy = await startForwardProxy({ credentials: 'corp:pa55word' });
    cleanup.push(() => proxy.close());
    const { analytics, tokens, api, errors } = await harness({
      proxy: `http://corp:pa55word@127.0.0.1:${proxy.port}`,
    });
    analytics.track('user-1', 'Via Proxy');
    expect(await analytics.flush()).toEqual({ delivered: 1, failed: 0, pending: 0 });
    expect(errors).toEqual([]);
    expect(tokens.requests).toHaveLength(1);
    expect(api.received).toHaveLength(1);
    expect(proxy.connects.map((c) => [c.target, c.status])).toEqual([
      [new URL(tokens.url).host, 200],
      [new URL(api.url).host, 200],
    ]);
  });
});
