import { describe, expectTypeOf, it } from 'vitest';
import { Analytics } from './node-analytics.js';
import type { FlushReport } from './delivery/delivery.js';
import type { AnalyticsError } from './errors.js';

type Plan = {
  'Order Completed': { orderId: string; total: number };
  'Signed Up': { plan: 'free' | 'pro' };
};

describe('typed tracking plans', () => {
  const analytics = new Analytics<Plan>({ writeKey: 'k', send: false });

  it('accepts the events of the plan with their properties', () => {
    expectTypeOf(
      analytics.track('u', 'Order Completed', { orderId: 'o', total: 1 }),
    ).toEqualTypeOf<boolean>();
    expectTypeOf(
      analytics.track({ userId: 'u', event: 'Signed Up', properties: { plan: 'pro' } }),
    ).toEqualTypeOf<boolean>();
  });

  it('rejects unknown event names and wrong properties at compile time', () => {
    // @ts-expect-error: not in the plan
    analytics.track('u', 'Unknown Event', {});
    // @ts-expect-error: total must be a number
    analytics.track('u', 'Order Completed', { orderId: 'o', total: '1' });
    // @ts-expect-error: plan must be 'free' or 'pro'
    analytics.track({ userId: 'u', event: 'Signed Up', properties: { plan: 'gold' } });
  });

  it('leaves an untyped client open to any event', () => {
    const open = new Analytics({ writeKey: 'k', send: false });
    expectTypeOf(open.track('u', 'Anything', { any: 1 })).toEqualTypeOf<boolean>();
  });

  it('types the positional forms of the Python documentation', () => {
    expectTypeOf(analytics.page).toBeCallableWith('user_id', 'Docs', 'Python', {
      url: 'http://segment.com',
    });
    expectTypeOf(analytics.group).toBeCallableWith('user_id', 'group_id', { name: 'Initech' });
    expectTypeOf(analytics.alias).toBeCallableWith('previous', 'user', { timestamp: new Date() });
    expectTypeOf(analytics.flush()).resolves.toEqualTypeOf<FlushReport>();
  });

  it('takes a trailing callback after the object form', () => {
    expectTypeOf(
      analytics.track({ userId: 'u', event: 'Signed Up', properties: { plan: 'pro' } }, (error) => {
        expectTypeOf(error).toEqualTypeOf<AnalyticsError | undefined>();
      }),
    ).toEqualTypeOf<boolean>();
    expectTypeOf(analytics.identify).toBeCallableWith({ userId: 'u' }, () => undefined);
  });
});
