import { describe, expect, it } from 'vitest';
import {
  checkMessage,
  ingestEndpoint,
  MAX_MESSAGE_BYTES,
  oversizedMessage,
  parseBody,
  toNewEvent,
} from './ingest.js';

describe('ingestEndpoint', () => {
  it('maps the batch, import and single-call paths and nothing else', () => {
    expect(ingestEndpoint('/v1/batch')).toBe('batch');
    expect(ingestEndpoint('/v1/import')).toBe('import');
    for (const type of ['identify', 'track', 'page', 'screen', 'group', 'alias']) {
      expect(ingestEndpoint(`/v1/${type}`)).toBe(type);
    }
    expect(ingestEndpoint('/v1/track/')).toBe('track');
    expect(ingestEndpoint('/v1/unknown')).toBeUndefined();
    expect(ingestEndpoint('/v2/batch')).toBeUndefined();
  });
});

describe('parseBody', () => {
  it('reads the batch, writeKey and sentAt of a batch envelope', () => {
    const body = { batch: [{ type: 'track' }], writeKey: 'wk', sentAt: '2026-01-01T00:00:00.000Z' };
    expect(parseBody('batch', body)).toEqual({
      messages: body.batch,
      writeKey: 'wk',
      sentAt: body.sentAt,
    });
  });

  it('refuses a batch body without a batch array', () => {
    expect(parseBody('batch', { batch: {} })).toMatchObject({
      status: 400,
      code: 'invalid_request',
    });
    expect(parseBody('import', [1, 2])).toMatchObject({ status: 400, code: 'invalid_request' });
  });

  it('takes the type of a single call from the path and keeps its writeKey out of the message', () => {
    expect(parseBody('track', { userId: 'u', event: 'E', writeKey: 'wk' })).toEqual({
      messages: [{ userId: 'u', event: 'E', type: 'track' }],
      writeKey: 'wk',
      sentAt: undefined,
    });
  });

  it('refuses a single call whose type contradicts its path', () => {
    expect(parseBody('page', { type: 'track', userId: 'u' })).toMatchObject({
      status: 400,
      code: 'invalid_request',
    });
  });
});

describe('checkMessage', () => {
  it('accepts a message with a userId or an anonymousId', () => {
    expect(checkMessage({ type: 'identify', userId: 'u' })).toBeUndefined();
    expect(checkMessage({ type: 'page', anonymousId: 'a' })).toBeUndefined();
    expect(checkMessage({ type: 'identify', userId: 42 })).toBeUndefined();
  });

  it('reports a message with neither userId nor anonymousId as no_user_anon_id', () => {
    expect(checkMessage({ type: 'track', event: 'E', messageId: 'm1' })).toEqual({
      code: 'no_user_anon_id',
      message: 'A track message needs a userId or an anonymousId.',
      messageId: 'm1',
    });
    expect(checkMessage({ type: 'track', event: 'E', userId: '' })?.code).toBe('no_user_anon_id');
  });

  it('reports a track without an event name as missing_event', () => {
    expect(checkMessage({ type: 'track', userId: 'u' })?.code).toBe('missing_event');
    expect(checkMessage({ type: 'track', userId: 'u', event: '' })?.code).toBe('missing_event');
  });

  it('reports group without groupId, alias without previousId and unknown types', () => {
    expect(checkMessage({ type: 'group', userId: 'u' })?.code).toBe('missing_group_id');
    expect(checkMessage({ type: 'alias', userId: 'u' })?.code).toBe('missing_previous_id');
    expect(checkMessage({ type: 'purchase', userId: 'u' })?.code).toBe('invalid_type');
    expect(checkMessage('track')?.code).toBe('invalid_message');
    expect(checkMessage({ type: 'track', userId: 'u', event: 'E', messageId: 7 })?.code).toBe(
      'invalid_message_id',
    );
  });
});

describe('oversizedMessage', () => {
  it('flags the first message over 32 KB and lets one at the limit through', () => {
    const filler = (bytes: number) => ({ p: 'x'.repeat(bytes - JSON.stringify({ p: '' }).length) });
    expect(oversizedMessage([filler(MAX_MESSAGE_BYTES)])).toBeUndefined();
    expect(oversizedMessage([{}, filler(MAX_MESSAGE_BYTES + 1)])).toMatchObject({
      status: 400,
      code: 'message_too_large',
      message: expect.stringContaining('Message 1 is 32769 bytes'),
    });
  });
});

describe('toNewEvent', () => {
  it('stamps receivedAt into the message and indexes its ids', () => {
    const event = toNewEvent(
      { type: 'track', event: 'E', userId: 7, anonymousId: 'a', messageId: 'm' },
      {
        receivedAt: '2026-01-01T00:00:00.000Z',
        writeKey: 'wk',
        sentAt: '2026-01-01T00:00:00.000Z',
      },
    );
    expect(event).toEqual({
      message: {
        type: 'track',
        event: 'E',
        userId: 7,
        anonymousId: 'a',
        messageId: 'm',
        receivedAt: '2026-01-01T00:00:00.000Z',
      },
      messageId: 'm',
      type: 'track',
      event: 'E',
      userId: '7',
      anonymousId: 'a',
      writeKey: 'wk',
      receivedAt: '2026-01-01T00:00:00.000Z',
      sentAt: '2026-01-01T00:00:00.000Z',
    });
  });

  it('gives a message without messageId a generated one in the index only', () => {
    const event = toNewEvent({ type: 'page', anonymousId: 'a' }, { receivedAt: 'now' });
    expect(event.messageId).toMatch(/^collector-[0-9a-f-]{36}$/);
    expect(event.message).not.toHaveProperty('messageId');
  });
});
