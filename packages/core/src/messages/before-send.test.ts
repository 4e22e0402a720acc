import { describe, expect, it } from 'vitest';
import { Analytics } from '../index.js';
import type { AnalyticsError } from '../errors.js';
import { createTestAnalytics } from '../testing/index.js';
import type { WireMessage } from './types.js';

describe('beforeSend', () => {
  it('sends what a hook returns, with hooks run in order on each other’s result', () => {
    const seen: string[] = [];
    const analytics = createTestAnalytics({
      beforeSend: [
        (message) => {
          seen.push(`first ${message.event}`);
          message.properties = { ...message.properties, region: 'eu' };
          return message;
        },
        (message) => {
          seen.push(`second ${String(message.properties?.region)}`);
          delete message.properties?.email;
          return message;
        },
      ],
    });
    expect(analytics.track('u', 'Signed Up', { plan: 'pro', email: 'a@b.c' })).toBe(true);
    expect(seen).toEqual(['first Signed Up', 'second eu']);
    expect(analytics.messages[0]!.properties).toEqual({ plan: 'pro', region: 'eu' });
    expect(analytics.stats().accepted).toBe(1);
  });

  it('gives hooks a copy, so changing it never touches the caller’s objects', () => {
    const properties = { email: 'a@b.c', at: new Date('2024-01-01T00:00:00Z') };
    const analytics = createTestAnalytics({
      beforeSend: (message) => {
        expect(message.properties?.at).toBe('2024-01-01T00:00:00.000Z');
        delete message.properties?.email;
        return message;
      },
    });
    analytics.track('u', 'E', properties);
    expect(properties.email).toBe('a@b.c');
    expect(analytics.messages[0]!.properties).toEqual({ at: '2024-01-01T00:00:00.000Z' });
  });

  it('counts a null as FILTERED, returns false and reports no error', () => {
    const errors: AnalyticsError[] = [];
    const analytics = createTestAnalytics({
      onError: (error) => errors.push(error),
      beforeSend: (message) => (message.context.userAgent === 'HealthCheck/1.0' ? null : message),
    });
    expect(
      analytics.track({ userId: 'u', event: 'Ping', context: { userAgent: 'HealthCheck/1.0' } }),
    ).toBe(false);
    expect(analytics.track('u', 'Real')).toBe(true);
    expect(analytics.messages.map((m) => m.event)).toEqual(['Real']);
    expect(analytics.stats().rejected).toEqual({ FILTERED: 1 });
    expect(analytics.stats().accepted).toBe(1);
    expect(errors).toEqual([]);
  });

  it('tells the object form’s callback about a drop: FILTERED for a null, BEFORE_SEND_FAILED for a throw', async () => {
    const errors: AnalyticsError[] = [];
    const analytics = createTestAnalytics({
      onError: (error) => errors.push(error),
      beforeSend: (message) => {
        if (message.event === 'Broken') throw new Error('lookup failed');
        return message.event === 'Ping' ? null : message;
      },
    });
    const outcome = (event: string) =>
      new Promise<AnalyticsError | undefined>((resolve) => {
        expect(analytics.track({ userId: 'u', event }, resolve)).toBe(event === 'Real');
      });
    const [filtered, failed, sent] = await Promise.all([
      outcome('Ping'),
      outcome('Broken'),
      outcome('Real'),
    ]);
    expect(filtered).toMatchObject({
      code: 'FILTERED',
      message: 'track: dropped by beforeSend[0]',
    });
    expect(failed).toMatchObject({ code: 'BEFORE_SEND_FAILED' });
    expect(sent).toBeUndefined();
    // onError hears of the failure only: a filtered message is a decision, not an error.
    expect(errors.map((e) => e.code)).toEqual(['BEFORE_SEND_FAILED']);
    expect(analytics.stats().rejected).toEqual({ FILTERED: 1, BEFORE_SEND_FAILED: 1 });
  });

  it('drops the message when a hook throws and reports BEFORE_SEND_FAILED, never sending it unfiltered', () => {
    const reported: [AnalyticsError, WireMessage[]][] = [];
    const later: string[] = [];
    const analytics = createTestAnalytics({
      onError: (error, messages) => reported.push([error, messages]),
      beforeSend: [
        () => {
          throw new Error('scrubber crashed');
        },
        (message) => {
          later.push('ran');
          return message;
        },
      ],
    });
    expect(analytics.track('u', 'E', { email: 'a@b.c' })).toBe(false);
    expect(analytics.messages).toEqual([]);
    expect(later).toEqual([]);
    expect(analytics.stats().rejected).toEqual({ BEFORE_SEND_FAILED: 1 });
    const [error, messages] = reported[0]!;
    expect(error.code).toBe('BEFORE_SEND_FAILED');
    expect(error.message).toBe(
      'track: beforeSend[0] threw: scrubber crashed; the message was dropped, not sent unfiltered',
    );
    expect((error.cause as Error).message).toBe('scrubber crashed');
    expect(messages[0]!.event).toBe('E');
  });

  it('treats a hook that returns nothing, or a Promise, as failed', () => {
    const analytics = createTestAnalytics({ beforeSend: () => undefined as never });
    expect(analytics.track('u', 'E')).toBe(false);
    expect(analytics.errors[0]!.message).toContain(
      'beforeSend[0] must return the message or null, returned undefined',
    );
    const async = createTestAnalytics({ beforeSend: (m) => Promise.resolve(m) as never });
    expect(async.track('u', 'E')).toBe(false);
    expect(async.errors[0]!.message).toContain('beforeSend[0] returned a Promise');
  });

  it('applies the 32 KB limit to what the hooks return', () => {
    const shrink = createTestAnalytics({
      beforeSend: (message) => ({ ...message, properties: { blob: 'trimmed' } }),
    });
    expect(shrink.track('u', 'Big', { blob: 'x'.repeat(40_000) })).toBe(true);
    expect(shrink.messages[0]!.properties).toEqual({ blob: 'trimmed' });
    const grow = createTestAnalytics({
      beforeSend: (message) => ({ ...message, properties: { blob: 'x'.repeat(40_000) } }),
    });
    expect(grow.track('u', 'Small')).toBe(false);
    expect(grow.errors[0]!.code).toBe('MESSAGE_TOO_LARGE');
  });

  it('sees the message after the privacy rules, so a hook never sees a redacted secret', () => {
    const seen: (string | undefined)[] = [];
    const analytics = createTestAnalytics({
      beforeSend: (message) => {
        seen.push(message.context.page?.search);
        return message;
      },
    });
    analytics.track({ userId: 'u', event: 'E', context: { page: { search: '?token=abc' } } });
    expect(seen).toEqual(['?token=[REDACTED]']);
  });

  it('rejects a beforeSend that is not a function or a list of functions', () => {
    const construct = (beforeSend: unknown) => () =>
      new Analytics({ writeKey: 'k', send: false, beforeSend } as never);
    expect(construct('drop')).toThrow(
      /"beforeSend" must be a function or an array of functions, received string "drop"/,
    );
    expect(construct([() => null, 3])).toThrow(/received number 3 at index 1/);
  });
});
