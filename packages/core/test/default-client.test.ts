import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalyticsError } from '../src/index.js';
import { createDefaultClient } from '../src/index.js';
import { startIngestServer, type IngestServer } from './helpers/ingest-server.js';

let server: IngestServer;
beforeAll(async () => {
  server = await startIngestServer();
});
afterAll(() => server.close());

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe('the module-wide default client', () => {
  it('is configured through settable properties and created lazily on the first call', async () => {
    const analytics = createDefaultClient();
    analytics.writeKey = 'default-key';
    analytics.host = server.url;
    expect(analytics.track('u', 'Configured')).toBe(true);
    await analytics.flush();
    expect(server.requests.at(-1)!.body.writeKey).toBe('default-key');
    await analytics.close();
  });

  it('applies a setting changed after the first call: the old client delivers, the next call uses the new setting', async () => {
    const analytics = createDefaultClient();
    analytics.writeKey = 'first-key';
    analytics.host = server.url;
    analytics.track('u', 'With first key');
    analytics.writeKey = 'second-key';
    analytics.track('u', 'With second key');
    await analytics.flush();
    await server.waitForMessages(2);
    const byKey = server.requests.slice(-2).map((r) => [r.body.writeKey, r.body.batch[0]!.event]);
    expect(byKey).toEqual(
      expect.arrayContaining([
        ['first-key', 'With first key'],
        ['second-key', 'With second key'],
      ]),
    );
    await analytics.close();
  });

  it('returns false and reports through onError when no write key is set, instead of throwing', () => {
    const analytics = createDefaultClient();
    const errors: AnalyticsError[] = [];
    analytics.logger = quiet;
    analytics.onError = (error) => errors.push(error);
    expect(analytics.track('u', 'No key')).toBe(false);
    expect(errors[0]!.code).toBe('INVALID_OPTIONS');
    expect(errors[0]!.message).toContain('"writeKey" must be a non-empty string');
  });

  it('maps the OAuth settings onto the client', () => {
    const analytics = createDefaultClient();
    analytics.writeKey = 'k';
    analytics.logger = quiet;
    const errors: AnalyticsError[] = [];
    analytics.onError = (error) => errors.push(error);
    analytics.oauthClientId = 'client';
    analytics.oauthKeyId = 'kid';
    // No key: the options are refused with a message naming the field.
    expect(analytics.track('u', 'E')).toBe(false);
    expect(errors[0]!.message).toContain('"oauth.clientKey"');
  });

  it('offers shutdown() like Python: flush, then close', async () => {
    const analytics = createDefaultClient();
    analytics.writeKey = 'k';
    analytics.host = server.url;
    analytics.track('u', 'Before shutdown');
    expect(await analytics.shutdown()).toEqual({ delivered: 1, failed: 0, pending: 0 });
  });

  it('takes the privacy and beforeSend settings', async () => {
    const analytics = createDefaultClient();
    analytics.writeKey = 'default-key';
    analytics.host = server.url;
    analytics.privacy = { ip: 'omit' };
    analytics.beforeSend = (message) => (message.event === 'Internal' ? null : message);
    expect(analytics.track('u', 'Internal')).toBe(false);
    expect(
      analytics.track({
        userId: 'u',
        event: 'Public',
        context: { ip: '203.0.113.9', page: { search: '?token=abc' } },
      }),
    ).toBe(true);
    await analytics.flush();
    const sent = server.requests.at(-1)!.body.batch[0]!;
    expect(sent.event).toBe('Public');
    expect(sent.context).toMatchObject({ page: { search: '?token=[REDACTED]' } });
    expect(sent.context).not.toHaveProperty('ip');
    expect(analytics.stats().rejected).toEqual({ FILTERED: 1 });
    await analytics.close();
  });
});
