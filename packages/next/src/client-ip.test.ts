import { describe, expect, it } from 'vitest';
import { resolveClientIp } from './client-ip.js';

const headers = (init: Record<string, string>) => new Headers(init);
const noEnv = () => undefined;
const vercel = (name: string) => (name === 'VERCEL' ? '1' : undefined);

describe('resolveClientIp', () => {
  it('gives no ip by default, even with an X-Forwarded-For header', () => {
    expect(resolveClientIp(headers({ 'x-forwarded-for': '6.6.6.6' }), {}, noEnv)).toBeUndefined();
  });

  it('never takes the client-supplied left-most X-Forwarded-For entry with one trusted proxy', () => {
    const h = headers({ 'x-forwarded-for': '6.6.6.6, 203.0.113.7' });
    expect(resolveClientIp(h, { trustedProxyHops: 1 }, noEnv)).toBe('203.0.113.7');
  });

  it('counts trusted hops from the right', () => {
    const h = headers({ 'x-forwarded-for': '6.6.6.6, 203.0.113.7, 10.0.0.2' });
    expect(resolveClientIp(h, { trustedProxyHops: 2 }, noEnv)).toBe('203.0.113.7');
  });

  it('takes the left-most entry when the chain is shorter than the trusted hops', () => {
    expect(
      resolveClientIp(
        headers({ 'x-forwarded-for': '203.0.113.7' }),
        { trustedProxyHops: 3 },
        noEnv,
      ),
    ).toBe('203.0.113.7');
  });

  it('joins repeated X-Forwarded-For headers in order', () => {
    const h = new Headers();
    h.append('x-forwarded-for', '6.6.6.6');
    h.append('x-forwarded-for', '198.51.100.4');
    expect(resolveClientIp(h, { trustedProxyHops: 1 }, noEnv)).toBe('198.51.100.4');
  });

  it('reads x-real-ip on Vercel, which sets it itself', () => {
    const h = headers({ 'x-real-ip': '198.51.100.9', 'x-forwarded-for': '6.6.6.6' });
    expect(resolveClientIp(h, {}, vercel)).toBe('198.51.100.9');
    expect(resolveClientIp(h, {}, noEnv)).toBeUndefined();
  });

  it('lets getClientIp win over every other source', () => {
    const h = headers({ 'cf-connecting-ip': '2001:db8::1', 'x-real-ip': '198.51.100.9' });
    expect(
      resolveClientIp(
        h,
        { getClientIp: (x) => x.get('cf-connecting-ip') ?? undefined, trustedProxyHops: 1 },
        vercel,
      ),
    ).toBe('2001:db8::1');
  });

  it('treats a throwing getClientIp as no ip', () => {
    expect(
      resolveClientIp(
        headers({}),
        {
          getClientIp: () => {
            throw new Error('boom');
          },
        },
        noEnv,
      ),
    ).toBeUndefined();
  });

  it('rejects values that are not addresses', () => {
    expect(
      resolveClientIp(headers({ 'x-forwarded-for': '<script>' }), { trustedProxyHops: 1 }, noEnv),
    ).toBeUndefined();
  });
});
