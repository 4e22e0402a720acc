import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { serializeMessage } from './serialize.js';

const roundTrip = (value: object) =>
  JSON.parse(serializeMessage('track', value)) as Record<string, unknown>;

describe('serializeMessage', () => {
  it('serializes plain data exactly as JSON.stringify does', () => {
    const value = { a: 1, b: 'two', c: [true, null, { d: 'é😀' }] };
    expect(serializeMessage('track', value)).toBe(JSON.stringify(value));
  });

  it('turns Dates into ISO text and BigInts into decimal strings', () => {
    expect(roundTrip({ when: new Date(0), big: 12345678901234567890n })).toEqual({
      when: '1970-01-01T00:00:00.000Z',
      big: '12345678901234567890',
    });
  });

  it('turns a Map into an object of its entries and a Set into an array of its values', () => {
    expect(
      roundTrip({
        m: new Map<unknown, unknown>([
          ['a', 1],
          [2, new Set(['x'])],
        ]),
        s: new Set([1, 2]),
      }),
    ).toEqual({
      m: { a: 1, '2': ['x'] },
      s: [1, 2],
    });
  });

  it('drops undefined keys and writes undefined array items as null', () => {
    expect(roundTrip({ a: undefined, list: [undefined, 1], big: 1n })).toEqual({
      list: [null, 1],
      big: '1',
    });
  });

  it('refuses a function or a symbol, naming its path, instead of dropping it', () => {
    const refused = (value: object) => {
      try {
        serializeMessage('track', value);
      } catch (error) {
        return error as ValidationError;
      }
      throw new Error('expected a validation error');
    };
    const fn = refused({ properties: { nested: { f: () => 1 } } });
    expect(fn).toBeInstanceOf(ValidationError);
    expect(fn.field).toBe('properties.nested.f');
    expect(fn.message).toBe(
      'track: "properties.nested.f" is a function, which cannot be sent; convert it to data or remove it',
    );
    expect(refused({ properties: { list: [1, Symbol('s')] } }).field).toBe('properties.list.1');
  });

  it('sends an Error as { name, message }', () => {
    class PaymentError extends Error {
      override name = 'PaymentError';
    }
    expect(
      roundTrip({ error: new PaymentError('card declined'), plain: new TypeError('x') }),
    ).toEqual({
      error: { name: 'PaymentError', message: 'card declined' },
      plain: { name: 'TypeError', message: 'x' },
    });
  });

  it('sends bytes (Uint8Array, Buffer, ArrayBuffer) as base64 and other typed arrays as numbers', () => {
    expect(
      roundTrip({
        bytes: new Uint8Array([1, 2, 3]),
        buffer: Buffer.from('hi'),
        raw: new Uint8Array([255, 0]).buffer,
        slice: new Uint8Array([9, 1, 2, 9]).subarray(1, 3),
        floats: new Float32Array([0.5, 2]),
        big: new BigInt64Array([3n]),
      }),
    ).toEqual({
      bytes: 'AQID',
      buffer: 'aGk=',
      raw: '/wA=',
      slice: 'AQI=',
      floats: [0.5, 2],
      big: ['3'],
    });
  });

  it('rejects a circular reference with an error naming the path', () => {
    const properties: Record<string, unknown> = { items: [{}] };
    (properties.items as Record<string, unknown>[])[0]!.parent = properties;
    let error: unknown;
    try {
      serializeMessage('track', { properties });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('properties.items.0.parent');
    expect((error as ValidationError).message).toBe(
      'track: "properties.items.0.parent" is a circular reference; messages must be trees',
    );
  });

  it('names a circular reference through an array as well', () => {
    const list: unknown[] = [1];
    list.push({ list });
    expect(() => serializeMessage('track', { properties: { list } })).toThrow(
      'track: "properties.list.1.list" is a circular reference; messages must be trees',
    );
  });

  it('allows the same object twice when it is not its own ancestor', () => {
    const shared = { x: 1 };
    expect(roundTrip({ a: shared, b: shared, n: 1n })).toEqual({
      a: { x: 1 },
      b: { x: 1 },
      n: '1',
    });
  });

  it('keeps a "__proto__" key as data without touching any prototype', () => {
    const hostile = JSON.parse(
      '{"__proto__":{"polluted":true},"constructor":{"prototype":{"bad":1}},"n":1}',
    ) as object;
    const out = roundTrip({ properties: hostile, when: new Date(0) });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(out.properties)).toBe(
      '{"__proto__":{"polluted":true},"constructor":{"prototype":{"bad":1}},"n":1}',
    );
  });

  it('rejects nesting deeper than 64 levels', () => {
    let deep: Record<string, unknown> = { big: 1n };
    for (let i = 0; i < 70; i++) deep = { deep };
    expect(() => serializeMessage('identify', { traits: deep })).toThrow(
      /nested deeper than 64 levels/,
    );
  });
});
