import { describe, expect, it } from 'vitest';
import { anonymizeIp } from './anonymize-ip.js';

describe('anonymizeIp', () => {
  it('zeroes the last octet of an IPv4 address', () => {
    expect(anonymizeIp('203.0.113.9')).toBe('203.0.113.0');
    expect(anonymizeIp('10.1.2.255')).toBe('10.1.2.0');
  });

  it('keeps the first 48 bits of an IPv6 address and zeroes the last 80', () => {
    expect(anonymizeIp('2001:db8:85a3:8d3:1319:8a2e:370:7348')).toBe('2001:db8:85a3::');
    expect(anonymizeIp('2001:DB8:85A3::1')).toBe('2001:db8:85a3::');
    expect(anonymizeIp('2001:db8::ff00:42:8329')).toBe('2001:db8::');
    expect(anonymizeIp('::1')).toBe('::');
  });

  it('anonymises an IPv4-mapped IPv6 address as the IPv4 address it carries', () => {
    expect(anonymizeIp('::ffff:203.0.113.9')).toBe('::ffff:203.0.113.0');
    expect(anonymizeIp('::ffff:cb00:7109')).toBe('::ffff:203.0.113.0');
  });

  it('ignores a zone id and surrounding brackets', () => {
    expect(anonymizeIp('fe80::1:2:3:4%eth0')).toBe('fe80::');
    expect(anonymizeIp('[2001:db8:1:2::5]')).toBe('2001:db8:1::');
  });

  it('gives undefined for anything that is not an address, so it is left out rather than sent', () => {
    for (const bad of [
      '',
      'unknown',
      '300.1.1.1',
      '1.2.3',
      '1:2:3:4:5:6:7:8:9',
      '1::2::3',
      'g::1',
    ]) {
      expect(anonymizeIp(bad)).toBeUndefined();
    }
  });
});
