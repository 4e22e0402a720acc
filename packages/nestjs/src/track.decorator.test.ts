import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { SKIP_TRACKING_METADATA, TRACK_METADATA } from './tokens.js';
import { SkipTracking, Track } from './track.decorator.js';

describe('@Track()', () => {
  it('stores metadata only: the handler function is left untouched', () => {
    const original = function view(): string {
      return 'v';
    };
    const descriptor: PropertyDescriptor = { value: original, writable: true, configurable: true };
    const out = Track('Viewed')({}, 'view', descriptor) as PropertyDescriptor;
    expect(out.value).toBe(original);
    expect(Reflect.getMetadata(TRACK_METADATA, original)).toEqual([{ event: 'Viewed' }]);
  });

  it('stacks: several @Track()s keep the order they are written in', () => {
    class Shop {
      @Track('First')
      @Track('Second', { when: 'always' })
      buy(): void {}
    }
    expect(Reflect.getMetadata(TRACK_METADATA, Shop.prototype.buy)).toEqual([
      { event: 'First' },
      { event: 'Second', when: 'always' },
    ]);
  });
});

describe('@SkipTracking()', () => {
  it('marks a class or a handler', () => {
    @SkipTracking()
    class Health {
      @SkipTracking()
      check(): void {}
    }
    expect(Reflect.getMetadata(SKIP_TRACKING_METADATA, Health)).toBe(true);
    expect(Reflect.getMetadata(SKIP_TRACKING_METADATA, Health.prototype.check)).toBe(true);
  });
});
