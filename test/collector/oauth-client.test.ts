// OAuth end to end: the core client signs a client assertion, the collector's token endpoint
// verifies it against the public key and issues a token, and ingestion accepts only that token.
import { exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import { startCollector, type RunningCollector } from '@tributary/collector';
import { Analytics, type AnalyticsError } from '@tributary/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let collector: RunningCollector;
let privateKey: string;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  privateKey = await exportPKCS8(pair.privateKey);
  collector = await startCollector({
    port: 0,
    memory: true,
    oauth: {
      publicKeys: [await exportSPKI(pair.publicKey)],
      clientIds: ['demo-client'],
      tokenTtlSeconds: 60,
    },
  });
});
afterAll(() => collector.close());

describe('OAuth against the collector', () => {
  it('delivers with a bearer token obtained through a signed client assertion', async () => {
    const errors: AnalyticsError[] = [];
    const analytics = new Analytics({
      writeKey: 'oauth-write-key',
      host: collector.url,
      oauth: {
        clientId: 'demo-client',
        clientKey: privateKey,
        keyId: 'key-1',
        authServer: collector.url,
      },
      onError: (error) => errors.push(error),
    });
    analytics.track('oauth-user', 'Signed In With OAuth');
    expect(await analytics.close()).toEqual({ delivered: 1, failed: 0, pending: 0 });
    expect(errors).toEqual([]);
    expect(collector.stats().tokensIssued).toBeGreaterThanOrEqual(1);
    expect(collector.events({ event: 'Signed In With OAuth' })).toHaveLength(1);
  });

  it('reports AUTH_FAILED when the collector does not know the client id', async () => {
    const errors: AnalyticsError[] = [];
    const analytics = new Analytics({
      writeKey: 'oauth-write-key',
      host: collector.url,
      maxRetries: 1,
      retryBaseDelay: 1,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      oauth: {
        clientId: 'stranger',
        clientKey: privateKey,
        keyId: 'key-1',
        authServer: collector.url,
      },
      onError: (error) => errors.push(error),
    });
    analytics.track('oauth-user', 'Never Delivered');
    expect(await analytics.close()).toEqual({ delivered: 0, failed: 1, pending: 0 });
    expect(errors[0]!.code).toBe('AUTH_FAILED');
    expect(errors[0]!.message).not.toContain(privateKey.slice(40, 80));
    expect(collector.events({ event: 'Never Delivered' })).toHaveLength(0);
  });
});
