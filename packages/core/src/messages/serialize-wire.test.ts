import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { buildMessage, type RawMessage } from './build-message.js';
import { serializeMessage, serializeWireMessage } from './serialize.js';
import type { MessageType } from './types.js';

const env = {
  now: () => '2026-01-02T03:04:05.678Z',
  uuid: () => '00000000-0000-4000-8000-000000000000',
};
const scope = {
  context: { ip: '203.0.113.9', page: { url: 'https://shop.example/cart?x=1', path: '/cart' } },
  userId: () => 'scoped-user',
  anonymousId: 'anon-1',
};

const calls: [MessageType, RawMessage][] = [
  ['track', { userId: 'u1', event: 'Order "Completed"', properties: { total: 1, list: [1, 'a'] } }],
  ['track', { anonymousId: 7, event: 'E', context: { campaign: { name: 'c' } }, messageId: 'm"1' }],
  ['identify', { userId: 'u1', traits: { email: 'a@b.c' }, integrations: { All: false } }],
  ['page', { userId: 'u1', name: 'Home', category: 'Docs', properties: { url: 'https://x' } }],
  ['screen', { userId: 'u1', name: 'Home' }],
  ['group', { userId: 'u1', groupId: 'g1', traits: { plan: 'pro' } }],
  ['alias', { previousId: 'p1', userId: 'u1', anonymousId: 'a1' }],
  ['track', { userId: 'u1', event: 'E', timestamp: new Date(0), context: { library: 'mine' } }],
];

describe('serializeWireMessage', () => {
  it('writes every kind of built message byte for byte as JSON.stringify does', () => {
    for (const [type, raw] of calls) {
      for (const inScope of [undefined, scope]) {
        const message = buildMessage(type, raw, inScope, env);
        expect(serializeWireMessage(message)).toBe(JSON.stringify(message));
      }
    }
  });

  it('converts what JSON cannot carry in the caller data as serializeMessage does', () => {
    const message = buildMessage(
      'track',
      {
        userId: 'u1',
        event: 'E',
        properties: { when: new Date(0), big: 2n ** 70n, tags: new Set(['a']), gone: undefined },
        context: { seen: new Map([['k', 1]]) },
        integrations: { Amplitude: { session: 12n } },
      },
      scope,
      env,
    );
    const json = serializeWireMessage(message);
    expect(json).toBe(serializeMessage('track', message));
    expect(JSON.parse(json)).toMatchObject({
      properties: { when: '1970-01-01T00:00:00.000Z', big: '1180591620717411303424', tags: ['a'] },
      context: { seen: { k: 1 }, ip: '203.0.113.9' },
      integrations: { Amplitude: { session: '12' } },
    });
  });

  it('refuses a function in the caller data, naming its path from the message', () => {
    const message = buildMessage(
      'identify',
      { userId: 'u1', traits: { nested: { f: () => 1 } } },
      undefined,
      env,
    );
    expect(() => serializeWireMessage(message)).toThrow(ValidationError);
    expect(() => serializeWireMessage(message)).toThrow(
      'identify: "traits.nested.f" is a function, which cannot be sent; convert it to data or remove it',
    );
  });
});
