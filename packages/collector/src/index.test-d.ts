import { describe, expectTypeOf, it } from 'vitest';
import type {
  CollectorOptions,
  CollectorStats,
  FaultController,
  FaultSpec,
  RunningCollector,
  StoredEvent,
  CollectorError,
} from './index.js';
import { startCollector } from './index.js';

describe('public types', () => {
  it('startCollector takes optional options and resolves to a RunningCollector', () => {
    expectTypeOf(startCollector).parameter(0).toEqualTypeOf<CollectorOptions | undefined>();
    expectTypeOf(startCollector).returns.resolves.toEqualTypeOf<RunningCollector>();
    expectTypeOf(startCollector).toBeCallableWith();
    expectTypeOf(startCollector).toBeCallableWith({
      port: 0,
      memory: true,
      writeKeys: ['k'],
      quiet: true,
    });
  });

  it('RunningCollector exposes url, port, events, stats, waitForEvents, faults, reset and close', () => {
    expectTypeOf<RunningCollector['url']>().toEqualTypeOf<string>();
    expectTypeOf<RunningCollector['port']>().toEqualTypeOf<number>();
    expectTypeOf<RunningCollector['events']>().returns.toEqualTypeOf<StoredEvent[]>();
    expectTypeOf<RunningCollector['stats']>().returns.toEqualTypeOf<CollectorStats>();
    expectTypeOf<RunningCollector['waitForEvents']>().returns.resolves.toEqualTypeOf<
      StoredEvent[]
    >();
    expectTypeOf<RunningCollector['faults']>().toEqualTypeOf<FaultController>();
    expectTypeOf<RunningCollector['close']>().returns.toEqualTypeOf<Promise<void>>();
  });

  it('StoredEvent carries the message and its indexed fields', () => {
    expectTypeOf<StoredEvent['message']>().toEqualTypeOf<Record<string, unknown>>();
    expectTypeOf<StoredEvent['userId']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<StoredEvent['receivedAt']>().toEqualTypeOf<string>();
  });

  it('FaultSpec accepts every fault kind and rejects unknown ones', () => {
    expectTypeOf<{
      failNext: { status: 503; count: 2 };
      failRate: 0.1;
      failStatuses: [500, 502];
      rateLimit: { retryAfter: 2 };
      latency: 100;
      resetRate: 0.1;
      hangRate: 0.1;
      down: 1000;
    }>().toExtend<FaultSpec>();
    // @ts-expect-error: a misspelt fault is a type error
    const spec: FaultSpec = { failrate: 1 };
    expectTypeOf(spec).toEqualTypeOf<FaultSpec>();
  });

  it('CollectorError carries a typed code', () => {
    expectTypeOf<CollectorError['code']>().toExtend<string>();
    expectTypeOf<CollectorError>().toExtend<Error>();
  });
});
