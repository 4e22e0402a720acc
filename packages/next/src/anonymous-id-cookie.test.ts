import { readAnonymousIdCookie } from '@tributary/core';
import { describe, expect, it } from 'vitest';
import { withAnonymousIdCookie } from './anonymous-id-cookie.js';

describe('withAnonymousIdCookie', () => {
  it('adds the seeded id to the request Cookie header so the app sees it on the first request', () => {
    const header = withAnonymousIdCookie('session=abc', 'anon-2');
    expect(header).toBe('session=abc; ajs_anonymous_id=%22anon-2%22');
    expect(readAnonymousIdCookie(header)).toBe('anon-2');
    expect(withAnonymousIdCookie(null, 'anon-3')).toBe('ajs_anonymous_id=%22anon-3%22');
  });
});
