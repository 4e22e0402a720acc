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

describe('the page of a request URL', () => {
  const page = (url: string) =>
    requestContextFromFetch({ url, headers: new Headers() }, { requestId: false }).page;
  const byParser = (url: string) => {
    const parsed = new URL(url);
    return { path: parsed.pathname, search: parsed.search, url: parsed.href };
  };

  it('is what the URL parser gives, for common and tricky URLs alike', () => {
    const urls = [
      'http://shop.example.com/cart?step=2',
      'https://shop.example.com:8443/a/b/?',
      'http://127.0.0.1:3000/api/track?s=x%20y&t=1',
      'http://127.1/p',
      'http://0x7f.1/p',
      'http://Shop.Example.com/p',
      'http://shop.example.com:80/p',
      'https://shop.example.com:443/p',
      'http://shop.example.com:0080/p',
      'http://shop.example.com:99999/p',
      'http://shop.example.com/a/./b/../c',
      'http://shop.example.com/a/%2e%2E/c',
      'http://shop.example.com/a b?c d',
      "http://shop.example.com/p?q='x'",
      'http://shop.example.com/p?q="x"<>',
      'http://shop.example.com/p\\q',
      'http://shop.example.com/{x}|^`',
      'http://xn--nxasmq6b.com/p',
      'http://caf%C3%A9.example/p',
      'http://shop.example.com/caf%C3%A9?q=%ZZ',
      'http://[::1]:3000/p',
      'http://a..b/p',
      'http://shop.example.com/p#frag',
    ];
    for (const url of urls) {
      let expected: ReturnType<typeof byParser> | Record<string, never>;
      try {
        expected = byParser(url);
      } catch {
        continue; // the parser rejects it: so does the page (an empty one), tested below
      }
      expect(page(url), url).toEqual(expected);
    }
  });

  it('agrees with the URL parser on thousands of generated URLs', () => {
    const hosts = ['a.example', 'localhost:3000', '10.0.0.1', '999.1.1.1', 'x-y.z:443', 'A.b'];
    const alphabet = 'ab/.?%2eE=&;:@!$()*+,-_~ "\'<>{}|^`\\#[]';
    let seed = 7;
    const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let i = 0; i < 5000; i++) {
      let target = '/';
      for (let j = next(12); j > 0; j--) target += alphabet[next(alphabet.length)];
      const url = `${next(2) === 0 ? 'http' : 'https'}://${hosts[next(hosts.length)]}${target}`;
      let expected: ReturnType<typeof byParser>;
      try {
        expected = byParser(url);
      } catch {
        continue;
      }
      expect(page(url), url).toEqual(expected);
    }
  });
});
