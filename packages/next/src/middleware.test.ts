import { createTestAnalytics, type TestAnalytics } from '@tributary/core/testing';
import { NextRequest, NextResponse, type NextFetchEvent } from 'next/server.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { withAnalyticsMiddleware } from './index.js';
import { CLIENT_SYMBOL } from './shared-client.js';

let analytics: TestAnalytics;
let event: NextFetchEvent & { waitUntil: ReturnType<typeof vi.fn> };

beforeEach(() => {
  analytics = createTestAnalytics();
  (globalThis as Record<symbol, unknown>)[CLIENT_SYMBOL] = analytics;
  event = { waitUntil: vi.fn() } as unknown as typeof event;
});

afterEach(() => {
  delete (globalThis as Record<symbol, unknown>)[CLIENT_SYMBOL];
});

const request = (path: string, headers: Record<string, string> = {}) =>
  new NextRequest(`https://shop.example${path}`, { headers: { host: 'shop.example', ...headers } });

const seededId = (response: Response) =>
  /ajs_anonymous_id=%22([^%]+)%22/.exec(response.headers.get('set-cookie') ?? '')?.[1];

describe('withAnalyticsMiddleware', () => {
  it('records a page view with a seeded anonymous id, and sets that id as the cookie', async () => {
    const response = await withAnalyticsMiddleware()(
      request('/products?sort=price', { referer: 'https://google.com/' }),
      event,
    );
    const id = seededId(response);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const [page] = analytics.ofType('page');
    expect(page).toMatchObject({
      anonymousId: id,
      properties: {
        path: '/products',
        search: '?sort=price',
        url: 'https://shop.example/products?sort=price',
        referrer: 'https://google.com/',
      },
    });
    expect(event.waitUntil).toHaveBeenCalledOnce();
  });

  it('forwards the seeded cookie, request id and page URL to the app as request headers, not response headers', async () => {
    const response = await withAnalyticsMiddleware()(request('/'), event);
    const overridden = response.headers.get('x-middleware-override-headers')?.split(',') ?? [];
    expect(overridden).toEqual(
      expect.arrayContaining(['cookie', 'x-request-id', 'x-tributary-url']),
    );
    expect(response.headers.get('x-middleware-request-cookie')).toContain(
      `ajs_anonymous_id=%22${seededId(response)}%22`,
    );
    expect(response.headers.get('x-request-id')).toBeNull();
  });

  it('keeps the browser’s id and sets no cookie when it has one', async () => {
    const response = await withAnalyticsMiddleware()(
      request('/', { cookie: 'ajs_anonymous_id=%22anon-9%22' }),
      event,
    );
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(analytics.ofType('page')[0]?.anonymousId).toBe('anon-9');
  });

  it('does not seed when anonymousIdCookie is false, and skips the view of a visitor with no id', async () => {
    const response = await withAnalyticsMiddleware(undefined, { anonymousIdCookie: false })(
      request('/'),
      event,
    );
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(analytics.ofType('page')).toHaveLength(0);
    expect(analytics.errors).toEqual([]);
  });

  it('records no page view for API routes, or outside include', async () => {
    await withAnalyticsMiddleware()(request('/api/products'), event);
    await withAnalyticsMiddleware(undefined, { include: ['/docs'] })(request('/blog'), event);
    expect(analytics.ofType('page')).toEqual([]);
  });

  it('runs your middleware with the request-bound client and keeps its response', async () => {
    const mw = withAnalyticsMiddleware(async (req, _event, a) => {
      a.track({ event: 'Gate Checked' });
      return NextResponse.redirect(new URL('/login', req.url));
    });
    const response = await mw(request('/account'), event);
    expect(response.status).toBe(307);
    expect(seededId(response)).toBeDefined();
    expect(analytics.expectTracked('Gate Checked').anonymousId).toBe(seededId(response));
  });

  it('sets the cookie on a plain Response whose headers are immutable', async () => {
    const response = await withAnalyticsMiddleware(() =>
      Response.redirect('https://shop.example/login', 302),
    )(request('/x'), event);
    expect(response.status).toBe(302);
    expect(seededId(response)).toBeDefined();
  });

  it('passes the forwarded headers through your own NextResponse.next()', async () => {
    const response = await withAnalyticsMiddleware(() => NextResponse.next())(request('/'), event);
    expect(response.headers.get('x-middleware-request-x-tributary-url')).toBe(
      'https://shop.example/',
    );
  });

  it('names the page and resolves the user', async () => {
    await withAnalyticsMiddleware(undefined, {
      pageName: () => 'Home',
      resolveUser: () => 'user-3',
      properties: () => ({ ab: 'b' }),
    })(request('/'), event);
    expect(analytics.ofType('page')[0]).toMatchObject({
      name: 'Home',
      userId: 'user-3',
      properties: { path: '/', ab: 'b' },
    });
  });
});
