import { createTestAnalytics, type TestAnalytics } from '@tributary/core/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { getAnalytics } from './get-analytics.js';
import { CLIENT_SYMBOL } from './shared-client.js';
import { withAnalytics } from './with-analytics.js';

let analytics: TestAnalytics;

beforeEach(() => {
  analytics = createTestAnalytics();
  (globalThis as Record<symbol, unknown>)[CLIENT_SYMBOL] = analytics;
});

afterEach(() => {
  delete (globalThis as Record<symbol, unknown>)[CLIENT_SYMBOL];
  delete process.env.NEXT_PHASE;
});

const request = () =>
  new Request('https://shop.example/api/checkout?step=pay', {
    method: 'POST',
    headers: {
      'user-agent': 'unit/1.0',
      'accept-language': 'de-CH, de;q=0.9',
      referer: 'https://shop.example/cart',
      'x-request-id': 'req-1',
      cookie: 'ajs_anonymous_id=%22anon-1%22; session=secret',
      authorization: 'Bearer secret',
    },
  });

describe('withAnalytics', () => {
  it('keeps the handler signature and result, and fills each call from the request', async () => {
    const handler = withAnalytics(
      async (req: Request, ctx: { params: Promise<{ id: string }> }, a) => {
        a.track({ event: 'Order Completed', properties: { id: (await ctx.params).id } });
        return Response.json({ url: req.url });
      },
      { resolveUser: async () => 'user-1' },
    );
    const response = await handler(request(), { params: Promise.resolve({ id: 'o-1' }) });
    expect(await response.json()).toEqual({ url: 'https://shop.example/api/checkout?step=pay' });
    const message = analytics.expectTracked('Order Completed', { id: 'o-1' });
    expect(message).toMatchObject({ userId: 'user-1', anonymousId: 'anon-1' });
    expect(message.context).toMatchObject({
      userAgent: 'unit/1.0',
      locale: 'de-CH',
      requestId: 'req-1',
      page: {
        path: '/api/checkout',
        search: '?step=pay',
        url: 'https://shop.example/api/checkout?step=pay',
        referrer: 'https://shop.example/cart',
      },
    });
    expect(JSON.stringify(message)).not.toContain('secret');
  });

  it('gives a visitor without an id a new one, and sets the analytics.js cookie on the response', async () => {
    const handler = withAnalytics(async (_req: Request, _ctx: unknown, a) => {
      a.track({ event: 'Visited' });
      return Response.json({ ok: true });
    });
    const response = await handler(new Request('https://shop.example/api/x'), {});
    const id = analytics.expectTracked('Visited').anonymousId;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('set-cookie')).toBe(
      `ajs_anonymous_id=%22${id}%22; Path=/; Max-Age=31536000; SameSite=Lax; Secure`,
    );
  });

  it('gives each request its own user, even though the wrapper reuses one set of scope options', async () => {
    const handler = withAnalytics(
      async (_req: Request, _ctx: unknown, a) => {
        a.track({ event: 'Seen' });
        return new Response();
      },
      { resolveUser: (req) => req.headers.get('x-user-id') },
    );
    const as = (user?: string) =>
      new Request('https://shop.example/api/x', {
        headers: {
          cookie: 'ajs_anonymous_id=%22anon-1%22',
          ...(user === undefined ? {} : { 'x-user-id': user }),
        },
      });
    await Promise.all([handler(as('user-a'), {}), handler(as('user-b'), {})]);
    await handler(as(), {});
    expect(analytics.messages.map((m) => [m.userId, m.anonymousId])).toEqual([
      ['user-a', 'anon-1'],
      ['user-b', 'anon-1'],
      [undefined, 'anon-1'],
    ]);
  });

  it('sets no cookie on the response of a request that makes no call', async () => {
    const handler = withAnalytics(() => Response.json({ ok: true }));
    const response = await handler(new Request('https://shop.example/api/x'), {});
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(analytics.messages).toEqual([]);
  });

  it('gives getAnalytics() the running handler’s client, at any depth', async () => {
    const handler = withAnalytics(async () => {
      const a = await getAnalytics();
      a.track({ event: 'Deep Call' });
      return new Response(null, { status: 204 });
    });
    await handler(request(), undefined);
    expect(analytics.expectTracked('Deep Call').context?.requestId).toBe('req-1');
  });

  it('fills calls made on the shared client too, across awaits', async () => {
    const handler = withAnalytics(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      analytics.track({ event: 'Plain Client' });
      return new Response();
    });
    await handler(request(), undefined);
    expect(analytics.expectTracked('Plain Client').anonymousId).toBe('anon-1');
  });

  it('lets thrown control-flow errors (redirect, notFound) through untouched', async () => {
    const redirect = Object.assign(new Error('NEXT_REDIRECT'), {
      digest: 'NEXT_REDIRECT;replace;/login;307;',
    });
    const handler = withAnalytics(async () => {
      throw redirect;
    });
    await expect(handler(request(), undefined)).rejects.toBe(redirect);
  });

  it('tracks as anonymous when resolveUser throws', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const handler = withAnalytics(
      async (_req, _ctx, a) => {
        a.track({ event: 'Anonymous' });
        return new Response();
      },
      {
        resolveUser: () => {
          throw new Error('auth down');
        },
      },
    );
    await handler(request(), undefined);
    const message = analytics.expectTracked('Anonymous');
    expect(message.userId).toBeUndefined();
    expect(message.anonymousId).toBe('anon-1');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('resolveUser threw'));
    warn.mockRestore();
  });

  it('touches neither the request nor the shared client during next build', async () => {
    process.env.NEXT_PHASE = 'phase-production-build';
    const handler = withAnalytics(async (_req, _ctx, a) => {
      a.track({ event: 'Built', anonymousId: 'x' });
      return new Response('ok');
    });
    expect(await (await handler(request(), undefined)).text()).toBe('ok');
    expect(analytics.messages).toEqual([]);
  });
});
