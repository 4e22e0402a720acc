import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Analytics, DeliveryError, type AnalyticsError } from '../src/index.js';
import { closedPort, startForwardProxy, type ForwardProxy } from './helpers/forward-proxy.js';
import { captureLogger, startIngestServer, type IngestServer } from './helpers/ingest-server.js';

const PROXY_VARIABLES = [
  'HTTP_PROXY',
  'http_proxy',
  'HTTPS_PROXY',
  'https_proxy',
  'NO_PROXY',
  'no_proxy',
];

let api: IngestServer;
const cleanup: (() => Promise<unknown>)[] = [];
beforeEach(async () => {
  // Each test states the environment it needs; none leaks in from the machine.
  for (const name of PROXY_VARIABLES) vi.stubEnv(name, undefined);
  api = await startIngestServer();
  cleanup.push(() => api.close());
});
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function proxy(options: { credentials?: string } = {}): Promise<ForwardProxy> {
  const started = await startForwardProxy(options);
  cleanup.push(() => started.close());
  return started;
}

function client(options: ConstructorParameters<typeof Analytics>[0] = {}) {
  const errors: AnalyticsError[] = [];
  const logger = captureLogger();
  const analytics = new Analytics({
    writeKey: 'proxy-write-key',
    host: api.url,
    flushOnExit: false,
    retryBaseDelay: 1,
    retryMaxDelay: 5,
    logger,
    onError: (error) => errors.push(error),
    ...options,
  });
  cleanup.push(() => analytics.close({ timeout: 2_000 }));
  return { analytics, errors, logger };
}

const apiTarget = () => new URL(api.url).host;

describe('the proxy option and the proxy environment', () => {
  it('sends batches through the proxy given as an option, with its credentials', async () => {
    const forward = await proxy({ credentials: 'corp:pa55word' });
    const { analytics, errors } = client({
      proxy: `http://corp:pa55word@127.0.0.1:${forward.port}`,
    });
    analytics.track('u1', 'Through The Proxy');
    expect(await analytics.flush()).toEqual({ delivered: 1, failed: 0, pending: 0 });
    expect(errors).toEqual([]);
    expect(forward.connects).toEqual([
      { target: apiTarget(), credentials: 'corp:pa55word', status: 200 },
    ]);
    expect(api.messages().map((m) => m.event)).toEqual(['Through The Proxy']);
  });

  it('honours HTTP_PROXY from the environment by default, and its lower-case form', async () => {
    for (const name of ['HTTP_PROXY', 'http_proxy']) {
      const forward = await proxy();
      vi.stubEnv(name, forward.url);
      const { analytics } = client();
      analytics.track('u1', `Via ${name}`);
      expect(await analytics.flush()).toEqual({ delivered: 1, failed: 0, pending: 0 });
      expect(forward.connects.map((c) => c.target)).toEqual([apiTarget()]);
      vi.stubEnv(name, undefined);
    }
    expect(api.messages().map((m) => m.event)).toEqual(['Via HTTP_PROXY', 'Via http_proxy']);
  });

  it('bypasses the proxy for hosts in NO_PROXY', async () => {
    const forward = await proxy();
    vi.stubEnv('HTTP_PROXY', forward.url);
    vi.stubEnv('NO_PROXY', 'localhost,127.0.0.1');
    const { analytics } = client();
    analytics.track('u1', 'Direct');
    expect(await analytics.flush()).toEqual({ delivered: 1, failed: 0, pending: 0 });
    expect(forward.connects).toEqual([]);
    expect(api.messages().map((m) => m.event)).toEqual(['Direct']);
  });

  it('ignores the environment with proxy: false', async () => {
    const forward = await proxy();
    vi.stubEnv('HTTP_PROXY', forward.url);
    const { analytics } = client({ proxy: false });
    analytics.track('u1', 'Direct');
    expect(await analytics.flush()).toEqual({ delivered: 1, failed: 0, pending: 0 });
    expect(forward.connects).toEqual([]);
  });

  it('retries a proxy answering 407 like any network failure, and delivers once it lets the request through', async () => {
    const forward = await proxy({ credentials: 'corp:pa55word' });
    forward.refuseNext(2);
    const { analytics, errors } = client({
      proxy: `http://corp:pa55word@127.0.0.1:${forward.port}`,
    });
    analytics.track('u1', 'After Two Refusals');
    expect(await analytics.flush()).toEqual({ delivered: 1, failed: 0, pending: 0 });
    expect(forward.connects.map((c) => c.status)).toEqual([407, 407, 200]);
    expect(analytics.stats().retries).toBe(2);
    expect(errors).toEqual([]);
  });

  it('reports a proxy that keeps answering 407 with a coded error that hides its credentials', async () => {
    const forward = await proxy({ credentials: 'corp:right-password' });
    const { analytics, errors, logger } = client({
      proxy: `http://corp:wrong-pa55word@127.0.0.1:${forward.port}`,
      maxRetries: 1,
    });
    analytics.track('u1', 'Refused');
    expect(await analytics.flush()).toEqual({ delivered: 0, failed: 1, pending: 0 });
    expect(forward.connects.map((c) => c.status)).toEqual([407, 407]);
    const error = errors[0]!;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.code).toBe('NETWORK_ERROR');
    expect((error as DeliveryError).retriable).toBe(true);
    expect((error.cause as AnalyticsError).code).toBe('PROXY_ERROR');
    expect(error.message).toBe(
      `the request failed: PROXY_ERROR the proxy http://***@127.0.0.1:${forward.port} answered 407 Proxy Authentication Required: check the credentials in the proxy URL (Proxy response (407) !== 200 when HTTP Tunneling); gave up after 2 attempt(s)`,
    );
    const everything = [
      ...logger.lines,
      ...errors.flatMap((e) => [e.message, String((e.cause as Error | undefined)?.message)]),
      JSON.stringify(analytics.stats()),
    ].join('\n');
    expect(everything).not.toContain('wrong-pa55word');
    expect(everything).not.toContain(Buffer.from('corp:wrong-pa55word').toString('base64'));
    expect(analytics.stats().dropped).toEqual({ NETWORK_ERROR: 1 });
  });

  it('reports a proxy that refuses connections with a coded error after retrying', async () => {
    const port = await closedPort();
    const { analytics, errors } = client({ proxy: `http://127.0.0.1:${port}`, maxRetries: 2 });
    analytics.track('u1', 'Nowhere');
    expect(await analytics.flush()).toEqual({ delivered: 0, failed: 1, pending: 0 });
    expect(analytics.stats().retries).toBe(2);
    expect(errors[0]!.code).toBe('NETWORK_ERROR');
    expect((errors[0]!.cause as AnalyticsError).code).toBe('PROXY_ERROR');
    expect(errors[0]!.message).toContain(
      `PROXY_ERROR the proxy http://127.0.0.1:${port} could not be reached (connect ECONNREFUSED 127.0.0.1:${port})`,
    );
  });

  it('recognises a proxy named by host name that refuses connections', async () => {
    const port = await closedPort();
    const { analytics, errors } = client({ proxy: `http://localhost:${port}`, maxRetries: 0 });
    analytics.track('u1', 'Nowhere');
    expect(await analytics.flush()).toEqual({ delivered: 0, failed: 1, pending: 0 });
    expect((errors[0]!.cause as AnalyticsError).code).toBe('PROXY_ERROR');
    expect(errors[0]!.message).toContain(`the proxy http://localhost:${port} could not be reached`);
  });

  it('rejects a proxy option that is not an http(s) URL without echoing it', () => {
    const construct = (value: unknown) => () =>
      new Analytics({ writeKey: 'k', proxy: value } as never);
    expect(construct('corp:secret@proxy')).toThrow(
      /"proxy" must be an http: or https: URL, received one with scheme "corp:"/,
    );
    expect(construct('not a url with s3cret')).toThrow(/received a string that is not a URL$/);
    expect(construct(true)).toThrow(
      /"proxy" must be a URL string .* or false, received boolean true/,
    );
  });
});
