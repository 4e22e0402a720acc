import { describe, expect, it, vi } from 'vitest';
import { normalizeIp, resolveClientIp } from './client-ip.js';
import { headerReader } from './request-facts.js';

const h = (init: Record<string, string>) => headerReader(init);

describe('resolveClientIp', () => {
  it('takes the socket address and ignores a forged X-Forwarded-For when no proxy is trusted', () => {
    expect(resolveClientIp(h({ 'x-forwarded-for': '6.6.6.6' }), '203.0.113.7')).toBe('203.0.113.7');
  });

  it('strips the IPv4-mapped prefix a dual-stack listener reports', () => {
    expect(resolveClientIp(h({}), '::ffff:127.0.0.1')).toBe('127.0.0.1');
  });

  it('walks X-Forwarded-For from the right through trusted hops only', () => {
    const headers = h({ 'x-forwarded-for': '6.6.6.6, 203.0.113.7, 10.0.0.2' });
    expect(resolveClientIp(headers, '10.0.0.1', { trustProxy: 1 })).toBe('10.0.0.2');
    expect(resolveClientIp(headers, '10.0.0.1', { trustProxy: 2 })).toBe('203.0.113.7');
    expect(resolveClientIp(headers, '10.0.0.1', { trustProxy: true })).toBe('6.6.6.6');
  });

  it('follows a trust rule given as a function, as Express compiles `trust proxy`', () => {
    const headers = h({ 'x-forwarded-for': '6.6.6.6, 203.0.113.7' });
    const trustPrivate = (address: string) => address.startsWith('10.');
    expect(resolveClientIp(headers, '10.0.0.1', { trustProxy: trustPrivate })).toBe('203.0.113.7');
    expect(resolveClientIp(headers, '198.51.100.1', { trustProxy: trustPrivate })).toBe(
      '198.51.100.1',
    );
  });

  it('without a socket address, counts trusted hops from the right of X-Forwarded-For', () => {
    const headers = h({ 'x-forwarded-for': '6.6.6.6, 203.0.113.7' });
    expect(resolveClientIp(headers, undefined, { trustProxy: 1 })).toBe('203.0.113.7');
    expect(resolveClientIp(headers, undefined, { trustProxy: 5 })).toBe('6.6.6.6');
    expect(resolveClientIp(headers, undefined)).toBeUndefined();
  });

  it('reads a host-set header when configured, and lets getClientIp win over everything', () => {
    const headers = h({ 'x-real-ip': '203.0.113.9', 'x-forwarded-for': '6.6.6.6' });
    expect(resolveClientIp(headers, '10.0.0.1', { clientIpHeader: 'X-Real-IP' })).toBe(
      '203.0.113.9',
    );
    expect(
      resolveClientIp(headers, '10.0.0.1', {
        clientIpHeader: 'x-real-ip',
        getClientIp: () => '198.51.100.4',
      }),
    ).toBe('198.51.100.4');
    const throwing = () => {
      throw new Error('boom');
    };
    expect(resolveClientIp(headers, '10.0.0.1', { getClientIp: throwing })).toBeUndefined();
  });

  it('stops at a malformed X-Forwarded-For entry instead of trusting what lies beyond it', () => {
    const headers = h({ 'x-forwarded-for': '6.6.6.6, not-an-ip, 203.0.113.7' });
    expect(resolveClientIp(headers, '10.0.0.1', { trustProxy: true })).toBe('203.0.113.7');
  });
});

describe('normalizeIp', () => {
  it('strips ports, brackets and the IPv4-mapped prefix', () => {
    expect(normalizeIp('203.0.113.7:443')).toBe('203.0.113.7');
    expect(normalizeIp('[2001:db8::1]:443')).toBe('2001:db8::1');
    expect(normalizeIp('::FFFF:10.1.2.3')).toBe('10.1.2.3');
    expect(normalizeIp('::1')).toBe('::1');
  });

  it('rejects out-of-range octets and garbage', () => {
    expect(normalizeIp('256.1.1.1')).toBeUndefined();
    expect(normalizeIp('<script>')).toBeUndefined();
    expect(normalizeIp('')).toBeUndefined();
  });
});

describe('the untrusted-proxy warning', () => {
  it('is emitted once per process when X-Forwarded-For arrives and no proxy is trusted', async () => {
    vi.resetModules();
    const fresh = await import('./client-ip.js');
    const emit = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const forwarded = h({ 'x-forwarded-for': '6.6.6.6' });
      fresh.resolveClientIp(h({}), '10.0.0.1');
      expect(emit).not.toHaveBeenCalled();
      fresh.resolveClientIp(forwarded, '10.0.0.1');
      fresh.resolveClientIp(forwarded, '10.0.0.2');
      fresh.resolveClientIp(forwarded, '10.0.0.3', { trustProxy: 1 });
      expect(emit).toHaveBeenCalledOnce();
      expect(emit.mock.calls[0]?.[1]).toEqual({ code: 'TRIBUTARY_UNTRUSTED_PROXY' });
    } finally {
      emit.mockRestore();
    }
  });
});
