import type { ExecutionContext } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import type { AnalyticsRequest } from './options.js';
import { requestScope } from './request-scope.js';

const executionContext = {} as ExecutionContext;
const logger = { warn: vi.fn() };

function expressLike(overrides: Partial<AnalyticsRequest> = {}): AnalyticsRequest {
  return {
    headers: {
      host: 'shop.example.com',
      'user-agent': 'ua',
      'x-request-id': 'r-1',
      cookie: 'theme=dark; ajs_anonymous_id=%22a-1%22',
      authorization: 'Bearer secret',
    },
    socket: { remoteAddress: '::ffff:198.51.100.4' },
    originalUrl: '/products/p1?ref=x',
    protocol: 'https',
    route: { path: '/products/:id' },
    user: { id: 42 },
    ...overrides,
  };
}

describe('requestScope', () => {
  it('reads context, the analytics.js cookie and request.user.id, and never copies credentials', () => {
    const scope = requestScope(expressLike(), undefined, executionContext, {}, logger);
    expect(scope.context).toEqual({
      ip: '198.51.100.4',
      userAgent: 'ua',
      requestId: 'r-1',
      route: '/products/:id',
      page: {
        url: 'https://shop.example.com/products/p1?ref=x',
        path: '/products/p1',
        search: '?ref=x',
      },
    });
    expect(scope.anonymousId).toBe('a-1');
    expect(scope.userId?.()).toBe(42);
    expect(JSON.stringify(scope.context)).not.toMatch(/secret|theme/);
  });

  it('reads the route template of a Fastify request', () => {
    const request = expressLike({ route: undefined, routeOptions: { url: '/cart/:id' } });
    expect(requestScope(request, undefined, executionContext, {}, logger).context?.route).toBe(
      '/cart/:id',
    );
  });

  it('leaves out the fields turned off, and everything with context: false', () => {
    const some = requestScope(
      expressLike(),
      undefined,
      executionContext,
      { context: { ip: false, route: false } },
      logger,
    );
    expect(some.context).not.toHaveProperty('ip');
    expect(some.context).not.toHaveProperty('route');
    expect(
      requestScope(expressLike(), undefined, executionContext, { context: false }, logger).context,
    ).toEqual({});
  });

  it('uses the resolvers given, and survives one that throws', () => {
    const scope = requestScope(
      expressLike(),
      undefined,
      executionContext,
      {
        resolveUser: () => {
          throw new Error('no session store');
        },
        resolveAnonymousId: (request) => request.headers['x-device-id'] as string | undefined,
      },
      logger,
    );
    expect(scope.userId?.()).toBeUndefined();
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('no session store'));
    // No x-device-id header: the resolver finds nothing, so the analytics.js cookie applies.
    expect(scope.anonymousId).toBe('a-1');
  });

  it('falls back to the cookie when resolveAnonymousId finds no id', () => {
    const request = expressLike({ headers: { cookie: 'ajs_anonymous_id=%22anon-7%22' } });
    const scope = requestScope(
      request,
      undefined,
      executionContext,
      { resolveAnonymousId: () => undefined },
      logger,
    );
    expect(scope.anonymousId).toBe('anon-7');
  });
});
