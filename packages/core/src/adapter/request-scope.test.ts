import { describe, expect, it, vi } from 'vitest';
import { createTestAnalytics } from '../testing/index.js';
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
  it('adds the route fact as context.route, read only when the context is built', () => {
    let reads = 0;
    const scope = createRequestScope({
      headers: { host: 'shop.example.com' },
      url: '/products/42',
      get route() {
        reads++;
        return '/products/:id';
      },
    });
    expect(reads).toBe(0);
    expect(scope.context?.route).toBe('/products/:id');
    expect(scope.context?.route).toBe('/products/:id');
    expect(reads).toBe(1);
  });

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

describe('createRequestScope, lazily', () => {
  function uuidCalls() {
    const spy = vi.spyOn(globalThis.crypto, 'randomUUID');
    return { count: () => spy.mock.calls.length, restore: () => spy.mockRestore() };
  }

  it('reads no fact, mints nothing and sets no cookie for a request that tracks nothing', () => {
    const uuids = uuidCalls();
    const set: string[] = [];
    let reads = 0;
    const facts = {
      get headers() {
        reads++;
        return {};
      },
      url: '/',
      setCookie: (cookie: string) => set.push(cookie),
    };
    createRequestScope(facts);
    expect([reads, uuids.count(), set]).toEqual([0, 0, []]);
    uuids.restore();
  });

  it('chooses the request id when the context is first built, once', () => {
    const uuids = uuidCalls();
    const scope = createRequestScope({ headers: {}, url: '/' });
    expect(uuids.count()).toBe(0);
    const first = scope.context?.requestId;
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect([scope.context?.requestId, scope.requestId]).toEqual([first, first]);
    expect(uuids.count()).toBe(1);
    uuids.restore();
  });

  it('mints the anonymous id at the first read, sets the cookie once and keeps the id', () => {
    const set: string[] = [];
    const scope = createRequestScope({ headers: {}, url: '/', setCookie: (c) => set.push(c) });
    expect(set).toEqual([]);
    const id = scope.anonymousId;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect([scope.anonymousId, scope.anonymousIdMinted]).toEqual([id, true]);
    expect(set).toHaveLength(1);
    expect(set[0]).toContain(encodeURIComponent(JSON.stringify(id)));
  });

  it('keeps the id when the response can no longer take the cookie', () => {
    const scope = createRequestScope({
      headers: {},
      url: '/',
      setCookie: () => {
        throw new Error('headers already sent');
      },
    });
    const id = scope.anonymousId;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(scope.anonymousId).toBe(id);
  });

  it('passes the facts to resolveUser, so one resolver serves every request', () => {
    const facts = { headers: { 'x-user': 'u7' }, url: '/' };
    const scope = createRequestScope(facts, {
      resolveUser: (given) => (given.headers as Record<string, string>)['x-user'],
    });
    expect(scope.userId?.()).toBe('u7');
  });

  it("uses the framework's trust rule from the facts unless the options give one", () => {
    const facts = {
      headers: { 'x-forwarded-for': '203.0.113.7' },
      url: '/',
      socketAddress: '127.0.0.1',
      trustProxy: true,
    };
    expect(createRequestScope(facts).context?.ip).toBe('203.0.113.7');
    expect(createRequestScope(facts, { clientIp: { trustProxy: false } }).context?.ip).toBe(
      '127.0.0.1',
    );
  });
});

describe('a lazy scope in a call', () => {
  it('mints for a call without a user, and not for a call with one', () => {
    const client = createTestAnalytics();
    const set: string[] = [];
    const scope = createRequestScope({ headers: {}, url: '/', setCookie: (c) => set.push(c) });
    client.withScope(scope, () => client.track({ userId: 'u1', event: 'With User' }));
    expect(set).toEqual([]);
    expect(client.tracked('With User')[0]?.anonymousId).toBeUndefined();
    client.withScope(scope, () => client.track({ event: 'Anonymous' }));
    client.withScope(scope, () => client.track({ userId: 'u1', event: 'Later' }));
    const minted = client.tracked('Anonymous')[0]?.anonymousId;
    expect(minted).toMatch(/^[0-9a-f-]{36}$/);
    expect(set).toHaveLength(1);
    // Once the request has an id, a call with a user carries it too, as with a cookie.
    expect(client.tracked('Later')[0]?.anonymousId).toBe(minted);
  });

  it('keeps context, identity and laziness through a nested scope', () => {
    const client = createTestAnalytics();
    const set: string[] = [];
    const scope = createRequestScope(
      { headers: { 'user-agent': 'UA' }, url: '/', setCookie: (c) => set.push(c) },
      { resolveUser: () => 'u1' },
    );
    client.withScope(scope, () =>
      client.withContext({ campaign: { name: 'spring' } }, () => client.track({ event: 'E' })),
    );
    const [message] = client.tracked('E');
    expect([message?.userId, message?.anonymousId, set]).toEqual(['u1', undefined, []]);
    expect(message?.context).toMatchObject({ userAgent: 'UA', campaign: { name: 'spring' } });
  });
});
