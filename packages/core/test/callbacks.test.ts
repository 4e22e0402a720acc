import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Analytics, type AnalyticsError, type AnalyticsOptions } from '../src/index.js';
import { startIngestServer, type IngestServer } from './helpers/ingest-server.js';

let server: IngestServer;
const clients: Analytics[] = [];
beforeAll(async () => {
  server = await startIngestServer();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close({ timeout: 2000 })));
  server.setDefault({ status: 200 });
});
afterAll(() => server.close());

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function client(options: Partial<AnalyticsOptions> = {}) {
  const c = new Analytics({
    writeKey: 'k',
    host: server.url,
    logger: quiet,
    maxRetries: 0,
    flushOnExit: false,
    ...options,
  });
  clients.push(c);
  return c;
}

/** A callback that records each call and resolves once it has been called. */
function recorder() {
  const calls: (AnalyticsError | undefined)[] = [];
  let resolve!: () => void;
  const called = new Promise<void>((r) => (resolve = r));
  const callback = (error?: AnalyticsError) => {
    calls.push(error);
    resolve();
  };
  return { calls, called, callback };
}

describe('the object form with a trailing callback (analytics-node style)', () => {
  it('calls the callback once, without an error, when the message is delivered', async () => {
    const c = client();
    const { calls, called, callback } = recorder();
    expect(c.track({ userId: 'u', event: 'With Callback' }, callback)).toBe(true);
    await c.flush();
    await called;
    expect(calls).toEqual([undefined]);
    expect(server.messages().some((m) => m.event === 'With Callback')).toBe(true);
  });

  it('calls the callback with the DeliveryError when the message could not be delivered', async () => {
    server.setDefault({ status: 400, body: 'bad' });
    const c = client();
    const { calls, called, callback } = recorder();
    c.identify({ userId: 'u', traits: { a: 1 } }, callback);
    await c.flush();
    await called;
    expect(calls).toHaveLength(1);
    expect(calls[0]!.code).toBe('HTTP_ERROR');
  });

  it('calls the callback with the error when the call is rejected, after the call returns', async () => {
    const c = client();
    const { calls, called, callback } = recorder();
    expect(c.track({ userId: 'u', event: '   ' }, callback)).toBe(false);
    expect(calls).toEqual([]);
    await called;
    expect(calls[0]!.code).toBe('VALIDATION_FAILED');
    await c.close();
    const closed = recorder();
    expect(c.page({ userId: 'u', name: 'Home' }, closed.callback)).toBe(false);
    await closed.called;
    expect(closed.calls[0]!.code).toBe('CLIENT_CLOSED');
  });

  it('calls the callback on acceptance when send is false', async () => {
    const c = client({ send: false });
    const { calls, called, callback } = recorder();
    expect(c.group({ userId: 'u', groupId: 'g' }, callback)).toBe(true);
    await called;
    expect(calls).toEqual([undefined]);
  });

  it('recognises the object form followed by undefined', () => {
    const c = client({ send: false });
    expect(
      (c.identify as (...args: unknown[]) => boolean)({ userId: 'u', traits: {} }, undefined),
    ).toBe(true);
  });

  it('refuses anything but a callback after the message, saying so', () => {
    const errors: AnalyticsError[] = [];
    const c = client({ send: false, onError: (error) => errors.push(error) });
    expect(
      (c.track as (...args: unknown[]) => boolean)({ userId: 'u', event: 'E' }, { extra: 1 }),
    ).toBe(false);
    expect(errors[0]!.code).toBe('VALIDATION_FAILED');
    expect(errors[0]!.message).toBe(
      'track: the object form takes the message and an optional callback (error?) => void, received an object after the message',
    );
  });
});
