import { expectTypeOf } from 'vitest';
import { Analytics } from '../analytics.js';
import {
  createRequestScope,
  RequestAnalytics,
  type AdapterRequestScope,
  type RequestFacts,
} from './index.js';

// Node header records and Fetch Headers are both request facts.
expectTypeOf<{
  headers: Record<string, string | string[] | undefined>;
  url: string;
}>().toExtend<RequestFacts>();
expectTypeOf<{ headers: Headers; url: string; socketAddress: string }>().toExtend<RequestFacts>();
expectTypeOf(createRequestScope).returns.toEqualTypeOf<AdapterRequestScope>();
// @ts-expect-error the URL is required
createRequestScope({ headers: {} });

// The request-bound client takes any Analytics and keeps the client's return types.
const analytics = new RequestAnalytics(
  new Analytics({ send: false }),
  createRequestScope({ headers: {}, url: '/' }),
);
expectTypeOf(analytics.track({ event: 'E' })).toEqualTypeOf<boolean>();
expectTypeOf(analytics.alias({ userId: 'u1' })).toEqualTypeOf<boolean>();
expectTypeOf(analytics.anonymousId).toEqualTypeOf<string | undefined>();
