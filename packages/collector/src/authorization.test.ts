import { describe, expect, it } from 'vitest';
import { readAuthorization } from './authorization.js';

describe('readAuthorization', () => {
  it('reads the write key from Basic base64("<writeKey>:")', () => {
    expect(readAuthorization('Basic Zm9vOg==')).toEqual({ kind: 'basic', writeKey: 'foo' });
    expect(readAuthorization(`basic ${Buffer.from('key:ignored').toString('base64')}`)).toEqual({
      kind: 'basic',
      writeKey: 'key',
    });
  });

  it('reads a bearer token, and reports no header or another scheme', () => {
    expect(readAuthorization('Bearer abc.def')).toEqual({ kind: 'bearer', token: 'abc.def' });
    expect(readAuthorization(undefined)).toEqual({ kind: 'none' });
    expect(readAuthorization('Digest x')).toEqual({ kind: 'unsupported', scheme: 'Digest' });
  });
});
