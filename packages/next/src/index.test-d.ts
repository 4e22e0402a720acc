import type { NextApiRequest, NextApiResponse } from 'next';
import type { NextFetchEvent, NextRequest, NextResponse } from 'next/server.js';
import { describe, expectTypeOf, it } from 'vitest';
import type { Analytics } from '@tributary/core';
import {
  flushOnShutdown,
  getAnalytics,
  withAnalytics,
  withAnalyticsApi,
  withAnalyticsMiddleware,
  type RequestAnalytics,
  type ShutdownMode,
} from './index.js';

describe('public types', () => {
  it('withAnalytics keeps a route handler’s request and context types', () => {
    const GET = withAnalytics(
      async (request: NextRequest, context: { params: Promise<{ id: string }> }, analytics) => {
        expectTypeOf(analytics).toEqualTypeOf<RequestAnalytics>();
        return Response.json({ id: (await context.params).id, path: request.nextUrl.pathname });
      },
    );
    expectTypeOf(GET).parameters.toEqualTypeOf<
      [NextRequest, { params: Promise<{ id: string }> }]
    >();
    expectTypeOf(GET).returns.toEqualTypeOf<Promise<Response>>();
  });

  it('withAnalytics keeps a NextResponse return type and types resolveUser’s request', () => {
    const POST = withAnalytics(async (_request: Request) => ({}) as NextResponse, {
      resolveUser: (request) => {
        expectTypeOf(request).toEqualTypeOf<Request>();
        return request.headers.get('x-user-id');
      },
    });
    expectTypeOf(POST).returns.toEqualTypeOf<Promise<NextResponse>>();
  });

  it('RequestAnalytics keeps both call forms of the client', () => {
    expectTypeOf<RequestAnalytics['track']>().toBeCallableWith({
      event: 'Signed Up',
      userId: 'u1',
    });
    expectTypeOf<RequestAnalytics['track']>().toBeCallableWith('u1', 'Signed Up', { plan: 'pro' });
    expectTypeOf<ReturnType<RequestAnalytics['identify']>>().toEqualTypeOf<boolean>();
    expectTypeOf(getAnalytics).returns.toEqualTypeOf<Promise<RequestAnalytics>>();
  });

  it('withAnalyticsApi and withAnalyticsMiddleware return what Next expects', () => {
    const api = withAnalyticsApi((_req: NextApiRequest, res: NextApiResponse) =>
      res.status(200).end(),
    );
    expectTypeOf(api).parameters.toEqualTypeOf<[NextApiRequest, NextApiResponse]>();
    const proxy = withAnalyticsMiddleware();
    expectTypeOf(proxy).toEqualTypeOf<
      (request: NextRequest, event: NextFetchEvent) => Promise<Response>
    >();
  });

  it('flushOnShutdown says which shutdown it took part in', () => {
    expectTypeOf(flushOnShutdown).parameter(0).toEqualTypeOf<Analytics>();
    expectTypeOf(flushOnShutdown).returns.toEqualTypeOf<ShutdownMode>();
    expectTypeOf<ShutdownMode>().toEqualTypeOf<'manual' | 'next' | 'none'>();
  });
});
