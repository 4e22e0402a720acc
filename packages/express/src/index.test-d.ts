import type { Analytics, DefaultClient } from '@tributary/core';
import type { Request, RequestHandler } from 'express';
import { expectTypeOf } from 'vitest';
import { analyticsMiddleware, registerShutdown, type RequestAnalytics } from './index.js';

declare const client: Analytics;
declare const req: Request;

// Request augmentation: every Express request has the request-bound facade.
expectTypeOf(req.analytics).toEqualTypeOf<RequestAnalytics>();
expectTypeOf(req.analytics.track({ event: 'E' })).toEqualTypeOf<boolean>();
expectTypeOf(req.analytics.track(null, 'E', { a: 1 })).toEqualTypeOf<boolean>();
expectTypeOf(req.analytics.alias({ userId: 'u1' })).toEqualTypeOf<boolean>();
// @ts-expect-error an event name is required
req.analytics.track({ properties: {} });

// Either a client or client options; the middleware is an Express handler carrying its client.
expectTypeOf(analyticsMiddleware({ client })).toExtend<RequestHandler>();
expectTypeOf(
  analyticsMiddleware({ writeKey: 'k', trackRequests: { exclude: ['/health'] } }).client,
).toEqualTypeOf<Analytics>();
// @ts-expect-error adapter options are checked too
analyticsMiddleware({ client, trackRequests: 'yes' });
// @ts-expect-error a client and client options do not mix
analyticsMiddleware({ client, writeKey: 'k', flushAt: 3 }) satisfies unknown;

expectTypeOf(registerShutdown)
  .parameter(1)
  .toExtend<{ close(o?: { timeout?: number }): Promise<unknown> }>();

// Core's module-wide default client fits too, and a typed client keeps its type.
declare const defaultClient: DefaultClient;
declare const typed: Analytics<{ 'Order Completed': { total: number } }>;
expectTypeOf(analyticsMiddleware({ client: defaultClient }).client).toEqualTypeOf<DefaultClient>();
expectTypeOf(analyticsMiddleware({ client: typed }).client).toEqualTypeOf<typeof typed>();
