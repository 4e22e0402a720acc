import { readAnonymousIdCookie } from '@tributary/core';
import { NextResponse } from 'next/server.js';
import { describe, expect, it } from 'vitest';
import { anonymousIdCookie, withAnonymousIdCookie } from './anonymous-id-cookie.js';

describe('anonymousIdCookie', () => {
  it('is written JSON-quoted and URI-encoded, as analytics.js writes it', () => {
    const response = NextResponse.next();
    response.cookies.set(anonymousIdCookie('3f1e9c2a-1111-4222-8333-944445555666', true));
    const header = response.headers.get('set-cookie')!;
    expect(header).toMatch(/^ajs_anonymous_id=%223f1e9c2a-1111-4222-8333-944445555666%22; /);
    expect(header).toContain('Path=/');
    expect(header).toContain('Max-Age=31536000');
    expect(header).toContain('SameSite=lax');
    expect(header).toContain('Secure');
    expect(header).not.toContain('HttpOnly');
  });

  it('reads back through core as the same id', () => {
    const response = NextResponse.next();
    response.cookies.set(anonymousIdCookie('anon-1', false));
    const pair = response.headers.get('set-cookie')!.split(';')[0];
    expect(readAnonymousIdCookie(pair)).toBe('anon-1');
  });

  it('takes domain, lifetime and SameSite from the options', () => {
    const cookie = anonymousIdCookie('a', false, {
      domain: '.example.com',
      maxAge: 60,
      sameSite: 'strict',
      secure: true,
    });
    expect(cookie).toMatchObject({
      domain: '.example.com',
      maxAge: 60,
      sameSite: 'strict',
      secure: true,
      httpOnly: false,
    });
  });
});

describe('withAnonymousIdCookie', () => {
  it('adds the seeded id to the request Cookie header so the app sees it on the first request', () => {
    const header = withAnonymousIdCookie('session=abc', 'anon-2');
    expect(header).toBe('session=abc; ajs_anonymous_id=%22anon-2%22');
    expect(readAnonymousIdCookie(header)).toBe('anon-2');
    expect(withAnonymousIdCookie(null, 'anon-3')).toBe('ajs_anonymous_id=%22anon-3%22');
  });
});
