import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { buildMessage, type RawMessage } from './build-message.js';
import type { MessageType } from './types.js';

const env = {
  now: () => '2026-01-02T03:04:05.678Z',
  uuid: () => '00000000-0000-4000-8000-000000000000',
};
const build = (type: MessageType, raw: RawMessage, scope?: Parameters<typeof buildMessage>[2]) =>
  buildMessage(type, raw, scope, env);
const failure = (type: MessageType, raw: RawMessage): ValidationError => {
  try {
    build(type, raw);
  } catch (error) {
    return error as ValidationError;
  }
  throw new Error('expected a validation error');
};

describe('buildMessage', () => {
  it('stamps a UUID v4 messageId and the call time, unless the caller gives them', () => {
    expect(build('track', { userId: 'u', event: 'E' })).toMatchObject({
      messageId: '00000000-0000-4000-8000-000000000000',
      timestamp: '2026-01-02T03:04:05.678Z',
    });
    expect(build('track', { userId: 'u', event: 'E', messageId: 'mine' }).messageId).toBe('mine');
  });

  it('requires userId or anonymousId on every call, naming both', () => {
    const error = failure('identify', { traits: {} });
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.field).toBe('userId');
    expect(error.message).toBe(
      'identify: "userId" or "anonymousId" is required, received undefined and undefined',
    );
  });

  it('refuses empty ids, which the API would drop inside a 200', () => {
    expect(failure('track', { userId: '', event: 'E' }).message).toBe(
      'track: "userId" must not be empty or only whitespace (omit it instead), received string ""',
    );
    expect(failure('identify', { userId: '', anonymousId: '' }).field).toBe('userId');
    expect(failure('group', { userId: 'u', groupId: '' }).message).toBe(
      'group: "groupId" is required (a string, not empty or only whitespace, or a number), received string ""',
    );
    expect(failure('alias', { previousId: '', userId: 'u' }).field).toBe('previousId');
    expect(failure('alias', { previousId: 'p', userId: '' }).field).toBe('userId');
  });

  it('refuses an empty or whitespace-only id even beside a valid one, instead of sending it', () => {
    expect(failure('track', { userId: '', anonymousId: 'a', event: 'E' }).field).toBe('userId');
    expect(failure('track', { userId: 'u', anonymousId: ' \t', event: 'E' }).field).toBe(
      'anonymousId',
    );
    expect(failure('identify', { userId: '   ' }).message).toBe(
      'identify: "userId" must not be empty or only whitespace (omit it instead), received string "   "',
    );
    expect(failure('group', { userId: 'u', groupId: ' ' }).field).toBe('groupId');
    expect(failure('alias', { previousId: '\n', userId: 'u' }).field).toBe('previousId');
  });

  it('treats a blank id from the request scope as absent', () => {
    const scope = { anonymousId: '', userId: () => '  ' };
    expect(failure('track', { event: 'E' }).field).toBe('userId');
    const message = build('track', { userId: 'u', event: 'E' }, scope);
    expect(message.userId).toBe('u');
    expect(message).not.toHaveProperty('anonymousId');
  });

  it('requires a non-empty string event on track', () => {
    expect(failure('track', { userId: 'u' }).message).toBe(
      'track: "event" must be a non-empty string (not only whitespace), received undefined',
    );
    expect(failure('track', { userId: 'u', event: '' }).message).toBe(
      'track: "event" must be a non-empty string (not only whitespace), received string ""',
    );
    expect(failure('track', { userId: 'u', event: ' \n ' }).field).toBe('event');
    expect(failure('track', { userId: 'u', event: 42 }).message).toBe(
      'track: "event" must be a non-empty string (not only whitespace), received number 42',
    );
  });

  it('requires previousId and userId on alias, and groupId on group', () => {
    expect(failure('alias', { userId: 'u' }).message).toBe(
      'alias: "previousId" is required (a string, not empty or only whitespace, or a number), received undefined',
    );
    expect(failure('alias', { previousId: 'p' }).field).toBe('userId');
    expect(failure('group', { userId: 'u' }).message).toBe(
      'group: "groupId" is required (a string, not empty or only whitespace, or a number), received undefined',
    );
  });

  it('requires properties, traits, context and integrations to be plain objects', () => {
    expect(failure('track', { userId: 'u', event: 'E', properties: [1] }).message).toBe(
      'track: "properties" must be a plain object, received an array',
    );
    expect(failure('identify', { userId: 'u', traits: 'x' }).message).toBe(
      'identify: "traits" must be a plain object, received string "x"',
    );
    expect(failure('page', { userId: 'u', context: new Map() }).message).toBe(
      'page: "context" must be a plain object, received a Map',
    );
    expect(failure('group', { userId: 'u', groupId: 'g', integrations: 1 }).field).toBe(
      'integrations',
    );
  });

  it('turns numeric ids into their exact decimal string, as Python does', () => {
    const message = build('group', { userId: 42, groupId: 7n, anonymousId: 1.5 });
    expect(message).toMatchObject({ userId: '42', groupId: '7', anonymousId: '1.5' });
    expect(build('track', { userId: 1e21, event: 'E' }).userId).toBe('1000000000000000000000');
    expect(failure('track', { userId: Number.NaN, event: 'E' }).message).toBe(
      'track: "userId" must be a string or a finite number, received number NaN',
    );
    expect(failure('track', { userId: { id: 1 }, event: 'E' }).message).toBe(
      'track: "userId" must be a string or a finite number, received an object',
    );
  });

  it('accepts a Date or an ISO 8601 string with an offset, and sends ISO with milliseconds and Z', () => {
    expect(
      build('track', { userId: 'u', event: 'E', timestamp: new Date(Date.UTC(2020, 0, 1)) })
        .timestamp,
    ).toBe('2020-01-01T00:00:00.000Z');
    expect(
      build('track', { userId: 'u', event: 'E', timestamp: '2020-01-01T12:00:00+02:00' }).timestamp,
    ).toBe('2020-01-01T10:00:00.000Z');
    expect(
      build('track', { userId: 'u', event: 'E', timestamp: '2012-10-17T18:58:57.911Z' }).timestamp,
    ).toBe('2012-10-17T18:58:57.911Z');
  });

  it('rejects an unparseable timestamp', () => {
    expect(failure('track', { userId: 'u', event: 'E', timestamp: 'yesterday' }).message).toBe(
      'track: "timestamp" must be a valid Date or an ISO 8601 string with a time and an offset, such as "2026-01-01T10:00:00Z" or "2026-01-01T10:00:00+02:00", received string "yesterday"',
    );
    expect(failure('track', { userId: 'u', event: 'E', timestamp: new Date('nope') }).field).toBe(
      'timestamp',
    );
    expect(failure('track', { userId: 'u', event: 'E', timestamp: 1700000000000 }).field).toBe(
      'timestamp',
    );
  });

  it('puts name and category on page and screen', () => {
    expect(
      build('screen', { userId: 'u', name: 'Brightness', category: 'Settings' }),
    ).toMatchObject({
      type: 'screen',
      name: 'Brightness',
      category: 'Settings',
      properties: {},
    });
    expect(failure('page', { userId: 'u', name: 3 }).message).toBe(
      'page: "name" must be a string, received number 3',
    );
  });

  it('sets context.library, overriding a caller-supplied one', () => {
    const message = build('track', {
      userId: 'u',
      event: 'E',
      context: { ip: '1.2.3.4', library: { name: 'x', version: '1' } },
    });
    expect(message.context.ip).toBe('1.2.3.4');
    expect(message.context.library?.name).toBe('@tributary/core');
  });

  it('fills identity and context from the request scope, explicit values winning', () => {
    const scope = {
      userId: () => 'scoped-user',
      anonymousId: 'anon-1',
      context: { ip: '10.0.0.1', page: { path: '/a', url: 'http://x/a' } },
    };
    const filled = build('track', { event: 'E' }, scope);
    expect(filled).toMatchObject({
      userId: 'scoped-user',
      anonymousId: 'anon-1',
      context: { ip: '10.0.0.1' },
    });
    const explicit = build(
      'track',
      { event: 'E', userId: 'me', context: { page: { path: '/b' } } },
      scope,
    );
    expect(explicit.userId).toBe('me');
    expect(explicit.context.page).toEqual({ path: '/b', url: 'http://x/a' });
  });

  it('does not fill alias ids from the scope', () => {
    expect(() => build('alias', { previousId: 'p' }, { userId: () => 'scoped' })).toThrow(
      ValidationError,
    );
  });
});
