import type { ExecutionContext } from '@nestjs/common';
import type { Analytics } from '@tributary/core';
import type { TestAnalytics } from '@tributary/core/testing';
import { expectTypeOf } from 'vitest';
import type { AnalyticsService } from './index.js';
import {
  AnalyticsModule,
  AnalyticsTestingModule,
  getTestAnalytics,
  Track,
  TrackMethod,
  type AnalyticsOptionsFactory,
  type AnalyticsRequest,
  type GraphqlOperation,
} from './index.js';

declare const client: Analytics;

// forRoot: client options, or a client; isGlobal is an extra, not a client option.
AnalyticsModule.forRoot({ writeKey: 'k', flushAt: 10, isGlobal: false });
AnalyticsModule.forRoot({ client, resolveUser: (request) => request.user?.id as string });
// @ts-expect-error a client and client options do not mix
AnalyticsModule.forRoot({ client, writeKey: 'k' });
// @ts-expect-error context fields are booleans
AnalyticsModule.forRoot({ writeKey: 'k', context: { ip: 'yes' } });

// forRootAsync: useFactory with inject, useClass/useExisting implementing createAnalyticsOptions.
AnalyticsModule.forRootAsync({
  inject: ['CONFIG'],
  useFactory: (c: { key: string }) => ({ writeKey: c.key }),
});
class Options implements AnalyticsOptionsFactory {
  createAnalyticsOptions() {
    return { writeKey: 'k' };
  }
}
AnalyticsModule.forRootAsync({ useClass: Options, isGlobal: true });
class WrongFactory {
  create() {
    return { writeKey: 'k' };
  }
}
// @ts-expect-error the factory method is createAnalyticsOptions
AnalyticsModule.forRootAsync({ useClass: WrongFactory });

// resolveUser sees the request and the execution context.
AnalyticsModule.forRoot({
  writeKey: 'k',
  resolveUser: (request, context) => {
    expectTypeOf(request).toEqualTypeOf<AnalyticsRequest>();
    expectTypeOf(context).toEqualTypeOf<ExecutionContext>();
    return undefined;
  },
});

// The service returns whether a call was accepted.
declare const service: AnalyticsService;
expectTypeOf(service.track('Signed Up', { plan: 'pro' })).toEqualTypeOf<boolean>();
expectTypeOf(service.identify({ email: 'a@b.c' }, { userId: 'u1' })).toEqualTypeOf<boolean>();
expectTypeOf(service.client).toEqualTypeOf<Analytics<any>>();

// Decorators: typed results in callbacks.
Track<{ id: string }>('Signed Up', { userId: ({ result }) => result?.id, when: 'success' });
// @ts-expect-error when is success, error or always
Track('Signed Up', { when: 'finally' });
TrackMethod<number>('Counted', {
  properties: ({ result, args }) => ({ count: result, first: args[0] as unknown }),
});

expectTypeOf(getTestAnalytics).returns.toEqualTypeOf<TestAnalytics>();
expectTypeOf(AnalyticsTestingModule.forRoot).parameter(0).toExtend<object | undefined>();

// A resolver's @Track() reads the GraphQL operation; it is absent outside GraphQL.
Track('Product Viewed', {
  properties: ({ graphql, body }) => {
    expectTypeOf(graphql).toEqualTypeOf<GraphqlOperation | undefined>();
    expectTypeOf(graphql!.operationName).toEqualTypeOf<string | undefined>();
    expectTypeOf(graphql!.args).toEqualTypeOf<Record<string, unknown>>();
    return { productId: String(body.id) };
  },
});
