import { createTestAnalytics, type TestAnalytics } from '@tributary/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onRequestError } from './on-request-error.js';
import { CLIENT_SYMBOL } from './shared-client.js';

let analytics: TestAnalytics;

beforeEach(() => {
  analytics = createTestAnalytics();
  (globalThis as Record<symbol, unknown>)[CLIENT_SYMBOL] = analytics;
});

afterEach(() => {
  delete (globalThis as Record<symbol, unknown>)[CLIENT_SYMBOL];
});

const request = (headers: Record<string, string>) => ({
  path: '/api/orders/7?x=1',
  method: 'POST',
  headers: { host: 'shop.example', 'user-agent': 'ua', ...headers },
});
const context = { routerKind: 'App Router', routePath: '/api/orders/[id]', routeType: 'route' };

describe('onRequestError', () => {
  it('records a server error with the request context and the visitor’s anonymous id', async () => {
    await onRequestError(
      new TypeError('cannot read total'),
      request({ cookie: 'ajs_anonymous_id=%22anon-1%22; session=secret' }),
      context,
    );
    const event = analytics.expectTracked('Server Error', {
      name: 'TypeError',
      message: 'cannot read total',
      status: 500,
      method: 'POST',
      route: '/api/orders/[id]',
    });
    expect(event.anonymousId).toBe('anon-1');
    expect(event.context).toMatchObject({ userAgent: 'ua', page: { path: '/api/orders/7' } });
    expect(JSON.stringify(event)).not.toContain('secret');
  });

  it('skips control flow, client errors and requests with no identity', async () => {
    const cookie = { cookie: 'ajs_anonymous_id=a' };
    await onRequestError(
      Object.assign(new Error('r'), { digest: 'NEXT_REDIRECT;push;/x' }),
      request(cookie),
      context,
    );
    await onRequestError(
      Object.assign(new Error('gone'), { status: 404 }),
      request(cookie),
      context,
    );
    await onRequestError(new Error('anonymous'), request({}), context);
    expect(analytics.messages).toEqual([]);
    expect(analytics.errors).toEqual([]);
  });
});
