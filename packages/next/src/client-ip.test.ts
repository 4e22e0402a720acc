import { describe, expect, it } from 'vitest';
import { normalizeIp, resolveClientIp } from './client-ip.js';

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

describe('normalizeIp', () => {
  it('strips ports and IPv6 brackets', () => {
    expect(normalizeIp('203.0.113.7:51234')).toBe('203.0.113.7');
    expect(normalizeIp('[2001:db8::1]:443')).toBe('2001:db8::1');
    expect(normalizeIp(' ::ffff:127.0.0.1 ')).toBe('127.0.0.1');
  });

  it('rejects out-of-range octets and garbage', () => {
    expect(normalizeIp('256.1.1.1')).toBeUndefined();
    expect(normalizeIp('unknown')).toBeUndefined();
    expect(normalizeIp('')).toBeUndefined();
  });
});

describe('resolveClientIp with the socket peer captured on next start', () => {
  const peer = (address: string, forwardedFor?: string) => ({ address, forwardedFor });

  it('is the socket address when no proxy is trusted, whatever X-Forwarded-For says', () => {
    const h = headers({ 'x-forwarded-for': '6.6.6.6', 'x-real-ip': '6.6.6.7' });
    expect(resolveClientIp(h, {}, vercel, peer('203.0.113.9', '6.6.6.6'))).toBe('203.0.113.9');
  });

  it('strips ::ffff: from an IPv4 peer on a dual-stack socket', () => {
    expect(resolveClientIp(headers({}), {}, noEnv, peer('::ffff:127.0.0.1'))).toBe('127.0.0.1');
  });

  it('counts trusted hops from the socket over X-Forwarded-For as it arrived, not as Next rewrote it', () => {
    // Next sets x-forwarded-for to the socket address when the request had none.
    const rewritten = headers({ 'x-forwarded-for': '10.0.0.2' });
    expect(resolveClientIp(rewritten, { trustedProxyHops: 1 }, noEnv, peer('10.0.0.2'))).toBe(
      '10.0.0.2',
    );
    const proxied = peer('10.0.0.2', '6.6.6.6, 203.0.113.7');
    expect(resolveClientIp(headers({}), { trustedProxyHops: 1 }, noEnv, proxied)).toBe(
      '203.0.113.7',
    );
    expect(resolveClientIp(headers({}), { trustedProxyHops: 5 }, noEnv, proxied)).toBe('6.6.6.6');
  });

  it('lets getClientIp win over the socket address', () => {
    const h = headers({ 'cf-connecting-ip': '198.51.100.8' });
    const getClientIp = (reader: { get(name: string): string | null }) =>
      reader.get('cf-connecting-ip') ?? undefined;
    expect(resolveClientIp(h, { getClientIp }, noEnv, peer('10.0.0.2'))).toBe('198.51.100.8');
  });
});

describe('normalizeIp on dual-stack sockets', () => {
  it('strips ::ffff: from IPv4-mapped addresses and keeps other IPv6 addresses', () => {
    expect(normalizeIp('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(normalizeIp('::FFFF:192.0.2.1')).toBe('192.0.2.1');
    expect(normalizeIp('2001:db8::1')).toBe('2001:db8::1');
  });
});
