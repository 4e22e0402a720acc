import { describe, expect, it } from 'vitest';
import { readAnonymousIdCookie } from './anonymous-id.js';
import { parseLocale, requestContextFromFetch, requestContextFromNode } from './request-context.js';

const headers = {
  host: 'shop.example.com',
  'user-agent': 'Mozilla/5.0',
  'accept-language': 'fr;q=0.8, de-CH, en;q=0.5',
  referer: 'https://google.com/',
  'x-request-id': 'req-1',
  cookie: 'session=secret',
  authorization: 'Bearer secret',
};

describe('requestContextFromNode', () => {
  it('maps a Node request to Segment context without cookies or authorization', () => {
    const context = requestContextFromNode(
      { headers, url: '/cart?step=2', protocol: 'https' },
      { ip: '203.0.113.9' },
    );
    expect(context).toEqual({
      ip: '203.0.113.9',
      userAgent: 'Mozilla/5.0',
      locale: 'de-CH',
      page: {
        url: 'https://shop.example.com/cart?step=2',
        path: '/cart',
        search: '?step=2',
        referrer: 'https://google.com/',
      },
      requestId: 'req-1',
    });
    expect(JSON.stringify(context)).not.toContain('secret');
  });

  it('turns each piece off on request', () => {
    expect(
      requestContextFromNode(
        { headers, url: '/' },
        { userAgent: false, locale: false, page: false, requestId: false },
      ),
    ).toEqual({});
  });

  it('prefers originalUrl (Express) over url', () => {
    expect(
      requestContextFromNode({ headers, url: '/inner', originalUrl: '/mounted/inner' }).page?.path,
    ).toBe('/mounted/inner');
  });
});

describe('requestContextFromFetch', () => {
  it('maps a Fetch Request the same way', () => {
    const request = new Request('https://shop.example.com/p?q=1', { headers });
    expect(requestContextFromFetch(request, { ip: '198.51.100.1' })).toEqual({
      ip: '198.51.100.1',
      userAgent: 'Mozilla/5.0',
      locale: 'de-CH',
      page: {
        url: 'https://shop.example.com/p?q=1',
        path: '/p',
        search: '?q=1',
        referrer: 'https://google.com/',
      },
      requestId: 'req-1',
    });
  });
});

describe('parseLocale', () => {
  it('picks the highest-weighted tag', () => {
    expect(parseLocale('en-US,en;q=0.9')).toBe('en-US');
    expect(parseLocale('*, es;q=0.1')).toBe('es');
    expect(parseLocale('')).toBeUndefined();
  });
});

describe('readAnonymousIdCookie', () => {
  it("reads analytics.js's JSON-quoted ajs_anonymous_id, encoded or not", () => {
    expect(readAnonymousIdCookie('a=1; ajs_anonymous_id=%22abc-123%22; b=2')).toBe('abc-123');
    expect(readAnonymousIdCookie('ajs_anonymous_id="abc-123"')).toBe('abc-123');
    expect(readAnonymousIdCookie('ajs_anonymous_id=plain')).toBe('plain');
    expect(readAnonymousIdCookie('other=1')).toBeUndefined();
    expect(readAnonymousIdCookie(undefined)).toBeUndefined();
  });
});
