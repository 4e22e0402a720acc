import { describe, expect, it } from 'vitest';
import { readAnonymousIdCookie } from '../context/anonymous-id.js';
import { anonymousIdCookieHeader, resolveAnonymousId } from './anonymous-id.js';
import { headerReader } from './request-facts.js';

describe('resolveAnonymousId', () => {
  it("reads analytics.js's JSON-quoted cookie and sets nothing", () => {
    const set: string[] = [];
    const result = resolveAnonymousId(
      headerReader({ cookie: 'a=1; ajs_anonymous_id=%22abc-123%22' }),
      {},
      false,
      (cookie) => set.push(cookie),
    );
    expect(result).toEqual({ id: 'abc-123', minted: false });
    expect(set).toEqual([]);
  });

  it('prefers a configured header over the cookie', () => {
    const header = headerReader({ 'x-anonymous-id': 'from-header', cookie: 'ajs_anonymous_id=c' });
    expect(resolveAnonymousId(header, { header: 'X-Anonymous-Id' }, false, undefined).id).toBe(
      'from-header',
    );
  });

  it('mints a UUID and sets a cookie analytics.js reads back as the same id', () => {
    const set: string[] = [];
    const result = resolveAnonymousId(headerReader({}), {}, true, (cookie) => set.push(cookie));
    expect(result.minted).toBe(true);
    expect(result.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(set).toHaveLength(1);
    expect(set[0]).toMatch(
      /^ajs_anonymous_id=%22[0-9a-f-]{36}%22; Path=\/; Max-Age=31536000; SameSite=Lax; Secure$/,
    );
    expect(readAnonymousIdCookie(set[0]!.split(';')[0])).toBe(result.id);
  });

  it('mints nothing when turned off or when the framework cannot set a cookie', () => {
    const set: string[] = [];
    expect(
      resolveAnonymousId(headerReader({}), { mint: false }, false, (c) => set.push(c)),
    ).toEqual({ id: undefined, minted: false });
    expect(resolveAnonymousId(headerReader({}), {}, false, undefined).id).toBeUndefined();
    expect(set).toEqual([]);
  });
});

describe('anonymousIdCookieHeader', () => {
  it('takes domain, lifetime and SameSite from the options', () => {
    expect(
      anonymousIdCookieHeader('x', false, {
        domain: 'example.com',
        maxAge: 60,
        sameSite: 'strict',
      }),
    ).toBe('ajs_anonymous_id=%22x%22; Path=/; Max-Age=60; SameSite=Strict; Domain=example.com');
  });
});
