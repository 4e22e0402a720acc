import { getCurrentScope } from '../context/request-scope.js';
import { createTestAnalytics } from '../testing/index.js';
import { describe, expect, it, vi } from 'vitest';
import { RequestAnalytics } from './request-analytics.js';
import { createRequestScope } from './request-scope.js';

function bound(user?: string) {
  const client = createTestAnalytics();
  const analytics = new RequestAnalytics(client, {
    context: { ip: '10.0.0.1', page: { path: '/p' } },
    userId: () => user,
    anonymousId: 'anon-1',
  });
  return { client, analytics };
}

describe('RequestAnalytics', () => {
  it('fills identity and context in the object form of every method, with no ambient scope', () => {
    const { client, analytics } = bound('u1');
    expect(getCurrentScope()).toBeUndefined();
    analytics.identify({ traits: { plan: 'pro' } });
    analytics.track({ event: 'E' });
    analytics.page({ name: 'Home' });
    analytics.screen({ name: 'Settings' });
    analytics.group({ groupId: 'g1' });
    analytics.alias({ userId: 'u1' });
    expect(client.messages.map((m) => [m.type, m.userId, m.anonymousId, m.context.ip])).toEqual([
      ['identify', 'u1', 'anon-1', '10.0.0.1'],
      ['track', 'u1', 'anon-1', '10.0.0.1'],
      ['page', 'u1', 'anon-1', '10.0.0.1'],
      ['screen', 'u1', 'anon-1', '10.0.0.1'],
      ['group', 'u1', 'anon-1', '10.0.0.1'],
      ['alias', 'u1', undefined, '10.0.0.1'],
    ]);
    expect(client.ofType('alias')[0]?.previousId).toBe('anon-1');
  });

  it('takes null in the positional form as "the request user"', () => {
    const { client, analytics } = bound('u1');
    analytics.track(null, 'Signed Up', { plan: 'free' });
    analytics.identify(null, { email: 'a@example.com' });
    analytics.page(null, 'Docs', 'Intro');
    analytics.group(null, 'g1', { name: 'Initech' });
    analytics.alias(null, 'u2');
    expect(client.messages.map((m) => m.userId)).toEqual(['u1', 'u1', 'u1', 'u1', 'u2']);
    expect(client.ofType('alias')[0]?.previousId).toBe('anon-1');
  });

  it('lets explicit values win, merging context one level deep', () => {
    const { client, analytics } = bound('u1');
    analytics.track(
      'u9',
      'E',
      {},
      { anonymousId: 'anon-9', context: { ip: '1.2.3.4', page: { title: 'T' } } },
    );
    const [message] = client.messages;
    expect([message?.userId, message?.anonymousId, message?.context.ip]).toEqual([
      'u9',
      'anon-9',
      '1.2.3.4',
    ]);
    expect(message?.context.page).toEqual({ path: '/p', title: 'T' });
  });

  it('returns false and never throws when the client rejects or breaks', () => {
    const { analytics } = bound('u1');
    expect(analytics.track({ event: '' })).toBe(false);
    const broken = new RequestAnalytics(
      {
        withScope: () => {
          throw new Error('boom');
        },
      } as never,
      {},
    );
    expect(broken.track({ event: 'E' })).toBe(false);
  });
});

describe('RequestAnalytics, the direct path', () => {
  it("hands the request's scope to the client without entering it", () => {
    const client = createTestAnalytics();
    const withScope = vi.spyOn(client, 'withScope');
    const analytics = new RequestAnalytics(client, {
      anonymousId: 'a1',
      context: { ip: '10.0.0.9' },
    });
    expect(analytics.track({ event: 'Direct' })).toBe(true);
    expect(withScope).not.toHaveBeenCalled();
    expect(client.tracked('Direct')[0]).toMatchObject({
      anonymousId: 'a1',
      context: { ip: '10.0.0.9' },
    });
    // The scope served that call only: a later call outside the request carries none of it.
    client.track({ userId: 'u1', event: 'Outside' });
    expect(client.tracked('Outside')[0]?.context.ip).toBeUndefined();
  });

  it('merges with a different current scope, as a module-level call would see it', () => {
    const client = createTestAnalytics();
    const analytics = new RequestAnalytics(client, {
      anonymousId: 'a1',
      context: { ip: '10.0.0.9' },
    });
    client.withContext({ campaign: { name: 'spring' } }, () => analytics.track({ event: 'E' }));
    expect(client.tracked('E')[0]?.context).toMatchObject({
      ip: '10.0.0.9',
      campaign: { name: 'spring' },
    });
  });

  it('does not mint for alias when the call gives previousId', () => {
    const client = createTestAnalytics();
    const set: string[] = [];
    const scope = createRequestScope({ headers: {}, url: '/', setCookie: (c) => set.push(c) });
    new RequestAnalytics(client, scope).alias({ previousId: 'p1', userId: 'u1' });
    expect(set).toEqual([]);
    new RequestAnalytics(client, scope).alias({ userId: 'u1' });
    expect(set).toHaveLength(1);
    expect(client.ofType('alias')[1]?.previousId).toBe(scope.anonymousId);
  });
});
