import { describe, expect, it } from 'vitest';
import { isPageView, matches } from './path-matcher.js';

const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
  new Request(`https://shop.example${path}`, { method, headers });

describe('isPageView', () => {
  it('counts a GET for a page', () => {
    expect(isPageView(get('/products'), undefined)).toBe(true);
    expect(isPageView(get('/'), undefined, [])).toBe(true);
  });

  it('skips Next assets, API routes and files by default', () => {
    for (const path of [
      '/_next/static/chunks/a.js',
      '/api/checkout',
      '/favicon.ico',
      '/robots.txt',
      '/_vercel/insights',
    ]) {
      expect(isPageView(get(path), undefined), path).toBe(false);
    }
  });

  it('skips other methods: Server Action POSTs are not views', () => {
    expect(isPageView(get('/newsletter', {}, 'POST'), undefined)).toBe(false);
  });

  it('skips prefetches and fetches, which Fetch Metadata tells apart from document loads', () => {
    expect(isPageView(get('/a', { 'sec-fetch-dest': 'empty' }), undefined)).toBe(false);
    expect(isPageView(get('/a', { 'sec-fetch-dest': 'document' }), undefined)).toBe(true);
    expect(isPageView(get('/a', { 'sec-purpose': 'prefetch;prerender' }), undefined)).toBe(false);
    expect(isPageView(get('/a', { purpose: 'prefetch' }), undefined)).toBe(false);
    expect(isPageView(get('/a', { 'next-router-prefetch': '1' }), undefined)).toBe(false);
  });

  it('limits views to include and drops exclude', () => {
    expect(isPageView(get('/docs/intro'), ['/docs'])).toBe(true);
    expect(isPageView(get('/blog/post'), ['/docs'])).toBe(false);
    expect(isPageView(get('/docs/private'), ['/docs'], ['/docs/private'])).toBe(false);
  });
});

describe('matches', () => {
  const request = get('/');
  it('treats a plain string as a path prefix on segment boundaries', () => {
    expect(matches('/docs', '/docs', request)).toBe(true);
    expect(matches('/docs', '/docs/a/b', request)).toBe(true);
    expect(matches('/docs', '/docsearch', request)).toBe(false);
    expect(matches('/docs/', '/docs/a', request)).toBe(true);
  });

  it('matches * within a segment and ** across segments', () => {
    expect(matches('/blog/*', '/blog/hello', request)).toBe(true);
    expect(matches('/blog/*', '/blog/hello/comments', request)).toBe(false);
    expect(matches('/**/edit', '/a/b/edit', request)).toBe(true);
    expect(matches('/a.b/*', '/aXb/c', request)).toBe(false);
  });

  it('tests a RegExp against the path and calls a function with the request', () => {
    expect(matches(/^\/p\/\d+$/, '/p/42', request)).toBe(true);
    expect(matches((r) => new URL(r.url).pathname === '/', '/', request)).toBe(true);
    expect(
      matches(
        () => {
          throw new Error('x');
        },
        '/',
        request,
      ),
    ).toBe(false);
  });
});
