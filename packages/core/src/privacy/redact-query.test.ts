import { describe, expect, it } from 'vitest';
import { DEFAULT_REDACTED_QUERY_PARAMS, redactQuery } from './redact-query.js';

const names = new Set(DEFAULT_REDACTED_QUERY_PARAMS);

describe('redactQuery', () => {
  it('replaces the values of secret-carrying parameters and keeps the rest byte for byte', () => {
    expect(redactQuery('https://shop.example/reset?token=abc&utm_source=x', names)).toBe(
      'https://shop.example/reset?token=[REDACTED]&utm_source=x',
    );
    expect(redactQuery('?utm_source=a%20b&code=xyz&q=shoes+red', names)).toBe(
      '?utm_source=a%20b&code=[REDACTED]&q=shoes+red',
    );
  });

  it('matches names case-insensitively and after percent-decoding', () => {
    expect(redactQuery('/a?Access_Token=1&%61pi_key=2', names)).toBe(
      '/a?Access_Token=[REDACTED]&%61pi_key=[REDACTED]',
    );
  });

  it('redacts every occurrence of a repeated parameter', () => {
    expect(redactQuery('/a?sig=1&sig=2', names)).toBe('/a?sig=[REDACTED]&sig=[REDACTED]');
  });

  it('redacts parameters in a fragment and in a hash route’s query', () => {
    expect(redactQuery('https://app.example/cb#access_token=t&state=s', names)).toBe(
      'https://app.example/cb#access_token=[REDACTED]&state=s',
    );
    expect(redactQuery('https://app.example/#/reset?token=t', names)).toBe(
      'https://app.example/#/reset?token=[REDACTED]',
    );
    expect(redactQuery('/a?code=1#x', names)).toBe('/a?code=[REDACTED]#x');
  });

  it('leaves URLs without a query, empty values and unknown names alone', () => {
    expect(redactQuery('https://example.com/token/abc', names)).toBe(
      'https://example.com/token/abc',
    );
    expect(redactQuery('/a?token=&token&tokens=1', names)).toBe('/a?token=&token&tokens=1');
  });

  it('does nothing with an empty list', () => {
    expect(redactQuery('/a?token=abc', new Set())).toBe('/a?token=abc');
  });

  it('gives a URL that still parses, with the marker visible', () => {
    const url = new URL(redactQuery('https://example.com/?token=abc&x=1', names));
    expect(url.searchParams.get('token')).toBe('[REDACTED]');
    expect(url.searchParams.get('x')).toBe('1');
  });
});
