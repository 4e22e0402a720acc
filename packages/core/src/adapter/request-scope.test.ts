import { describe, expect, it } from 'vitest';
import { createRequestScope, hasIdentity } from './request-scope.js';

const headers = {
  host: 'shop.example.com',
  'user-agent': 'Mozilla/5.0',
  'accept-language': 'fr;q=0.8, de-CH',
  referer: 'https://google.com/',
  cookie: 'session=secret; ajs_anonymous_id=%22anon-1%22',
  authorization: 'Bearer secret',
  'x-forwarded-for': '6.6.6.6',
};

describe('createRequestScope', () => {
  it('builds the same context from Node headers and from Fetch headers, without credentials', () => {
    const fromNode = createRequestScope({
      headers: { ...headers, 'x-request-id': 'req-1' },
      url: '/cart?step=2',
      protocol: 'https',
      socketAddress: '::ffff:203.0.113.9',
    });
    const fromFetch = createRequestScope({
      headers: new Headers({ ...headers, 'x-request-id': 'req-1' }),
      url: 'https://shop.example.com/cart?step=2',
      socketAddress: '203.0.113.9',
    });
    const expected = {
      ip: '203.0.113.9',
      userAgent: 'Mozilla/5.0',
      locale: 'de-CH',
      page: {
        url: 'https://shop.example.com/cart?step=2',
        path: '/cart',
        search: '?step=2',
        referrer: 'https://google.com/',
      },
      requestId: 'req-1',
    };
    expect(fromNode.context).toEqual(expected);
    expect(fromFetch.context).toEqual(expected);
    expect(fromNode.anonymousId).toBe('anon-1');
    expect(JSON.stringify(fromNode.context)).not.toContain('secret');
  });

  it('mints a request id when the request has none, and keeps it for the whole request', () => {
    const scope = createRequestScope({ headers: {}, url: '/' });
    expect(scope.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(scope.context?.requestId).toBe(scope.requestId);
  });

  it('mints an anonymous id and sets the cookie only when the adapter can set one', () => {
    const set: string[] = [];
    const minted = createRequestScope({ headers: {}, url: '/', setCookie: (c) => set.push(c) });
    expect(minted.anonymousIdMinted).toBe(true);
    expect(set[0]).toContain(encodeURIComponent(JSON.stringify(minted.anonymousId)));
    expect(createRequestScope({ headers: {}, url: '/' }).anonymousId).toBeUndefined();
  });

  it('leaves out each context field turned off, and everything with context: false', () => {
    const scope = createRequestScope(
      { headers, url: '/', socketAddress: '10.0.0.1' },
      { context: { ip: false, page: false, requestId: false } },
    );
    expect(scope.context).toEqual({ userAgent: 'Mozilla/5.0', locale: 'de-CH' });
    expect(createRequestScope({ headers, url: '/' }, { context: false }).context).toEqual({});
  });

  it('resolves the user at each call, cleans the id, and treats a throw as anonymous', () => {
    let user: unknown = undefined;
    const errors: unknown[] = [];
    const scope = createRequestScope(
      { headers: {}, url: '/' },
      {
        resolveUser: () => {
          if (user === 'throw') throw new Error('auth down');
          return user;
        },
        onResolveUserError: (error) => errors.push(error),
      },
    );
    expect(scope.userId?.()).toBeUndefined();
    expect(hasIdentity(scope)).toBe(false);
    user = 42n;
    expect(scope.userId?.()).toBe('42');
    user = '';
    expect(scope.userId?.()).toBeUndefined();
    user = 'throw';
    expect(scope.userId?.()).toBeUndefined();
    expect(errors).toHaveLength(1);
  });
});
