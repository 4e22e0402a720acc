import { getCurrentScope } from '../context/request-scope.js';
import { createTestAnalytics } from '../testing/index.js';
import { describe, expect, it } from 'vitest';
import { RequestAnalytics } from './request-analytics.js';

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
