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

  it('drops undefined keys and functions, and writes undefined array items as null', () => {
    expect(roundTrip({ a: undefined, f: () => 1, list: [undefined, 1], big: 1n })).toEqual({
      list: [null, 1],
      big: '1',
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
