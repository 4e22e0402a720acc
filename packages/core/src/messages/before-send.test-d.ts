import { describe, expectTypeOf, it } from 'vitest';
import type { AnalyticsOptions } from '../options.js';
import type { BeforeSend } from './before-send.js';
import type { WireMessage } from './types.js';

describe('the proxy, beforeSend and privacy options', () => {
  it('takes one hook or a list, each returning the message or null', () => {
    expectTypeOf<BeforeSend>().parameters.toEqualTypeOf<[WireMessage]>();
    expectTypeOf<BeforeSend>().returns.toEqualTypeOf<WireMessage | null>();
    const one: AnalyticsOptions = { beforeSend: (m) => m };
    const list: AnalyticsOptions = { beforeSend: [(m) => (m.type === 'track' ? null : m)] };
    expectTypeOf(one).toExtend<AnalyticsOptions>();
    expectTypeOf(list).toExtend<AnalyticsOptions>();
    // @ts-expect-error: a hook must return the message or null
    const wrong: AnalyticsOptions = { beforeSend: () => true };
    void wrong;
  });

  it('names the privacy choices', () => {
    expectTypeOf<NonNullable<AnalyticsOptions['privacy']>['ip']>().toEqualTypeOf<
      'keep' | 'anonymize' | 'omit' | undefined
    >();
    expectTypeOf<NonNullable<AnalyticsOptions['privacy']>['referrer']>().toEqualTypeOf<
      'keep' | 'origin' | 'omit' | undefined
    >();
    // @ts-expect-error: not a choice
    const wrong: AnalyticsOptions = { privacy: { ip: 'hash' } };
    void wrong;
  });

  it('takes a proxy URL or false', () => {
    expectTypeOf<AnalyticsOptions['proxy']>().toEqualTypeOf<string | false | undefined>();
  });
});
