import { describe, expect, it } from 'vitest';
import { Analytics } from '../index.js';
import { createTestAnalytics } from '../testing/index.js';
import type { MessageContext } from '../messages/types.js';
import { DEFAULT_REDACTED_QUERY_PARAMS } from './redact-query.js';

const requestContext = (): MessageContext => ({
  ip: '203.0.113.9',
  userAgent: 'Mozilla/5.0',
  page: {
    url: 'https://shop.example/reset?token=abc&utm_source=x',
    path: '/reset',
    search: '?token=abc&utm_source=x',
    referrer: 'https://idp.example/callback?code=s3cr3t&state=1',
  },
});

describe('privacy rules applied to every message', () => {
  it('redacts secret-carrying query parameters by default and keeps the ip and referrer', () => {
    const analytics = createTestAnalytics();
    analytics.track({ userId: 'u', event: 'Reset', context: requestContext() });
    const context = analytics.messages[0]!.context;
    expect(context.ip).toBe('203.0.113.9');
    expect(context.page).toEqual({
      url: 'https://shop.example/reset?token=[REDACTED]&utm_source=x',
      path: '/reset',
      search: '?token=[REDACTED]&utm_source=x',
      referrer: 'https://idp.example/callback?code=[REDACTED]&state=1',
    });
  });

  it('applies to the context of a request scope without changing the scope’s own objects', () => {
    const analytics = createTestAnalytics({ privacy: { ip: 'anonymize' } });
    const scoped = requestContext();
    analytics.withContext(scoped, () => analytics.track('u', 'Scoped'));
    expect(analytics.messages[0]!.context.ip).toBe('203.0.113.0');
    expect(analytics.messages[0]!.context.page?.search).toBe('?token=[REDACTED]&utm_source=x');
    expect(scoped).toEqual(requestContext());
  });

  it('anonymises or omits the ip', () => {
    const anonymized = createTestAnalytics({ privacy: { ip: 'anonymize' } });
    anonymized.track({ userId: 'u', event: 'E', context: { ip: '2001:db8:85a3:8d3::7348' } });
    expect(anonymized.messages[0]!.context.ip).toBe('2001:db8:85a3::');
    const omitted = createTestAnalytics({ privacy: { ip: 'omit' } });
    omitted.track({ userId: 'u', event: 'E', context: { ip: '203.0.113.9' } });
    expect(omitted.messages[0]!.context).not.toHaveProperty('ip');
  });

  it('leaves out an ip that cannot be anonymised rather than sending it as is', () => {
    const analytics = createTestAnalytics({ privacy: { ip: 'anonymize' } });
    analytics.track({ userId: 'u', event: 'E', context: { ip: 'not-an-ip' } });
    expect(analytics.messages[0]!.context).not.toHaveProperty('ip');
  });

  it('keeps only the referrer’s origin, or omits it', () => {
    const origin = createTestAnalytics({ privacy: { referrer: 'origin' } });
    origin.track({ userId: 'u', event: 'E', context: requestContext() });
    expect(origin.messages[0]!.context.page?.referrer).toBe('https://idp.example/');
    const omitted = createTestAnalytics({ privacy: { referrer: 'omit' } });
    omitted.track({ userId: 'u', event: 'E', context: requestContext() });
    expect(omitted.messages[0]!.context.page).not.toHaveProperty('referrer');
  });

  it('scrubs url, search and referrer of a page call’s properties, not of other calls’', () => {
    const analytics = createTestAnalytics({ privacy: { referrer: 'origin' } });
    const properties = {
      url: 'https://shop.example/?password=hunter2',
      referrer: 'https://idp.example/cb?code=1',
      title: 'Home',
    };
    analytics.page('u', 'Shop', 'Home', properties);
    analytics.track('u', 'Shared', { url: 'https://shop.example/?password=hunter2' });
    expect(analytics.ofType('page')[0]!.properties).toEqual({
      url: 'https://shop.example/?password=[REDACTED]',
      referrer: 'https://idp.example/',
      title: 'Home',
    });
    expect(properties.url).toBe('https://shop.example/?password=hunter2');
    expect(analytics.tracked('Shared')[0]!.properties?.url).toBe(
      'https://shop.example/?password=hunter2',
    );
  });

  it('takes a list of its own and turns redaction off with []', () => {
    const custom = createTestAnalytics({
      privacy: { redactQueryParams: [...DEFAULT_REDACTED_QUERY_PARAMS, 'Invite'] },
    });
    custom.track({ userId: 'u', event: 'E', context: { page: { search: '?invite=i&token=t' } } });
    expect(custom.messages[0]!.context.page?.search).toBe('?invite=[REDACTED]&token=[REDACTED]');
    const off = createTestAnalytics({ privacy: { redactQueryParams: [] } });
    off.track({ userId: 'u', event: 'E', context: requestContext() });
    expect(off.messages[0]!.context.page).toEqual(requestContext().page);
  });

  it('redacts every URL the same way across more distinct URLs than it remembers', () => {
    const analytics = createTestAnalytics({ privacy: { ip: 'anonymize' } });
    for (let i = 0; i < 1_200; i++) {
      analytics.track({
        userId: 'u',
        event: 'E',
        context: { ip: `10.0.${i % 256}.${i % 200}`, page: { search: `?n=${i}&token=t${i}` } },
      });
    }
    analytics.messages.forEach((message, i) => {
      expect(message.context.page?.search).toBe(`?n=${i}&token=[REDACTED]`);
      expect(message.context.ip).toBe(`10.0.${i % 256}.0`);
    });
  });

  it('rejects bad privacy options at construction, naming the field, the rule and the value', () => {
    const construct = (privacy: unknown) => () =>
      new Analytics({ writeKey: 'k', send: false, privacy } as never);
    expect(construct('anonymize')).toThrow(/"privacy" must be an object .* received string/);
    expect(construct({ ip: 'hash' })).toThrow(
      /"privacy.ip" must be 'keep', 'anonymize', 'omit', received string "hash"/,
    );
    expect(construct({ referrer: true })).toThrow(/"privacy.referrer" must be .* boolean true/);
    expect(construct({ redactQueryParams: 'token' })).toThrow(
      /"privacy.redactQueryParams" must be an array of non-empty strings/,
    );
    expect(construct({ redact: [] })).toThrow(/"privacy.redact" is not an option/);
    expect(construct({ IP: 'omit' })).toThrow(
      /"privacy.IP" is not an option; did you mean privacy.ip\?/,
    );
  });
});
