import { describe, expect, it } from 'vitest';
import { AnalyticsError } from './errors.js';
import { resolveOptions, type AnalyticsOptions } from './options.js';

const problemsOf = (options: Record<string, unknown>): string[] => {
  try {
    resolveOptions(options);
  } catch (error) {
    expect(error).toBeInstanceOf(AnalyticsError);
    expect((error as AnalyticsError).code).toBe('INVALID_OPTIONS');
    return (error as AnalyticsError).message.split('\n- ').slice(1);
  }
  throw new Error('expected INVALID_OPTIONS');
};

describe('resolveOptions', () => {
  it('refuses unknown options in the one INVALID_OPTIONS error, with what other libraries call them', () => {
    expect(
      problemsOf({
        writeKey: 'k',
        disable: true,
        httpRequestTimeout: 1000,
        maxEventsInBatch: 10,
        write_key: 'k',
        upload_size: 10,
        upload_interval: 0.5,
        on_error: () => undefined,
        requestTimeout: 1000,
        oauth_client_id: 'c',
        flushAT: 5,
        gzipp: true,
        somethingElse: 1,
      }),
    ).toEqual([
      '"disable" is not an option; did you mean send: false?',
      '"httpRequestTimeout" is not an option; did you mean timeout?',
      '"maxEventsInBatch" is not an option; did you mean flushAt?',
      '"write_key" is not an option; did you mean writeKey?',
      '"upload_size" is not an option; did you mean flushAt?',
      '"upload_interval" is not an option; did you mean flushInterval (in milliseconds)?',
      '"on_error" is not an option; did you mean onError?',
      '"requestTimeout" is not an option; did you mean timeout?',
      '"oauth_client_id" is not an option; did you mean oauth.clientId?',
      '"flushAT" is not an option; did you mean flushAt?',
      '"gzipp" is not an option; did you mean gzip?',
      '"somethingElse" is not an option',
    ]);
  });

  it('points Python’s proxies and a misspelt beforeSend to the options of that name', () => {
    expect(problemsOf({ writeKey: 'k', proxies: 'http://p:3128', beforesend: () => null })).toEqual(
      [
        '"proxies" is not an option; did you mean proxy?',
        '"beforesend" is not an option; did you mean beforeSend?',
      ],
    );
  });

  it('refuses unknown keys inside oauth and outbox too', () => {
    expect(
      problemsOf({
        writeKey: 'k',
        oauth: { clientId: 'c', clientKey: 'x', keyId: 'kid', client_id: 'c', scopes: 'a' },
        outbox: { type: 'file', dir: '/tmp/x', fsynk: 'always' },
      }).filter((p) => p.includes('is not an option')),
    ).toEqual([
      '"oauth.client_id" is not an option; did you mean oauth.clientId?',
      '"oauth.scopes" is not an option; did you mean oauth.scope?',
      '"outbox.fsynk" is not an option; did you mean outbox.fsync?',
    ]);
  });

  it('lets a key set to undefined pass, since it changes nothing', () => {
    expect(resolveOptions({ writeKey: 'k', disable: undefined } as AnalyticsOptions).send).toBe(
      true,
    );
  });

  it('refuses durations that only make sense in seconds, naming the unit', () => {
    expect(problemsOf({ writeKey: 'k', timeout: 15, flushInterval: 0.5 })).toEqual([
      '"flushInterval" is in milliseconds and must be 0 or >= 10, received number 0.5 (for 0.5 seconds, use 500)',
      '"timeout" is in milliseconds and must be >= 100, received number 15 (for 15 seconds, use 15000)',
    ]);
    const ok = resolveOptions({ writeKey: 'k', timeout: 100, flushInterval: 0 });
    expect([ok.timeout, ok.flushInterval]).toEqual([100, 0]);
  });

  it('describes an empty OAuth field by its value, not only its type', () => {
    expect(
      problemsOf({ writeKey: 'k', oauth: { clientId: '', clientKey: 'x', keyId: 'kid' } })[0],
    ).toBe('"oauth.clientId" must be a non-empty string, received string ""');
  });

  it('refuses options that are not an object', () => {
    expect(problemsOf(null as never)).toEqual([
      "the options must be an object such as { writeKey: '…' }, received null",
    ]);
  });
});
