import { createTestAnalytics, type TestAnalytics } from '@tributary/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getAnalytics } from './get-analytics.js';
import { CLIENT_SYMBOL } from './shared-client.js';

let analytics: TestAnalytics;

beforeEach(() => {
  analytics = createTestAnalytics();
  (globalThis as Record<symbol, unknown>)[CLIENT_SYMBOL] = analytics;
});

afterEach(() => {
  delete (globalThis as Record<symbol, unknown>)[CLIENT_SYMBOL];
});

describe('getAnalytics', () => {
  it('outside a request, returns the shared client without request context instead of throwing', async () => {
    const a = await getAnalytics({ userId: 'cron-user' });
    expect(a.context).toEqual({});
    expect(a.track({ event: 'Nightly Export' })).toBe(true);
    expect(analytics.expectTracked('Nightly Export').userId).toBe('cron-user');
  });
});
