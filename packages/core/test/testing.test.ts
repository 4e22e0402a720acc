import { describe, expect, it } from 'vitest';
import { createTestAnalytics } from '../src/testing/index.js';

describe('createTestAnalytics', () => {
  it('records the exact messages that would go on the wire, and sends nothing', () => {
    const analytics = createTestAnalytics();
    analytics.identify('user-1', { plan: 'free', since: new Date(0) });
    analytics.track('user-1', 'Signed Up', { plan: 'free' });
    expect(analytics.messages).toHaveLength(2);
    expect(analytics.ofType('identify')[0]!.traits).toEqual({
      plan: 'free',
      since: '1970-01-01T00:00:00.000Z',
    });
    expect(analytics.tracked('Signed Up')).toHaveLength(1);
    expect(analytics.stats().delivered).toBe(0);
  });

  it('asserts tracked events with a readable failure', () => {
    const analytics = createTestAnalytics();
    analytics.track('u', 'Order Completed', { orderId: 'o-1', total: 10 });
    expect(analytics.expectTracked('Order Completed', { orderId: 'o-1' }).userId).toBe('u');
    expect(() => analytics.expectTracked('Order Completed', { orderId: 'o-2' })).toThrow(
      /expected a track of "Order Completed" with \{"orderId":"o-2"\}; recorded:\n {2}Order Completed \{"orderId":"o-1","total":10\}/,
    );
  });

  it('records rejected calls as errors and forgets everything on reset', () => {
    const analytics = createTestAnalytics();
    expect(analytics.track({ event: 'No identity' } as never)).toBe(false);
    expect(analytics.errors[0]!.code).toBe('VALIDATION_FAILED');
    analytics.reset();
    expect(analytics.messages).toHaveLength(0);
    expect(analytics.errors).toHaveLength(0);
  });
});
