import { describe, expect, it } from 'vitest';
import { getCurrentScope, runWithScope } from '../src/index.js';
import { createTestAnalytics } from '../src/testing/index.js';

describe('the per-request context seam', () => {
  it('merges withContext into every call made inside, across awaits, explicit fields winning', async () => {
    const analytics = createTestAnalytics();
    await analytics.withContext({ ip: '203.0.113.1', locale: 'de-DE' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      analytics.track('u', 'Inside');
      analytics.track('u', 'Explicit', {}, { context: { locale: 'fr-FR' } });
    });
    analytics.track('u', 'Outside');
    const [inside, explicit, outside] = analytics.messages;
    expect(inside!.context).toMatchObject({ ip: '203.0.113.1', locale: 'de-DE' });
    expect(explicit!.context).toMatchObject({ ip: '203.0.113.1', locale: 'fr-FR' });
    expect(outside!.context.ip).toBeUndefined();
  });

  it('keeps concurrent requests apart', async () => {
    const analytics = createTestAnalytics();
    await Promise.all(
      ['a', 'b', 'c'].map((id) =>
        analytics.withScope({ anonymousId: `anon-${id}`, context: { requestId: id } }, async () => {
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 10));
          analytics.track({ event: `Request ${id}` });
        }),
      ),
    );
    for (const message of analytics.messages) {
      const id = message.event!.slice(-1);
      expect(message).toMatchObject({ anonymousId: `anon-${id}`, context: { requestId: id } });
    }
  });

  it('evaluates the scope user lazily, at call time', () => {
    const analytics = createTestAnalytics();
    const request: { user?: { id: string } } = {};
    runWithScope({ userId: () => request.user?.id, anonymousId: 'anon' }, () => {
      analytics.track({ event: 'Before login' });
      request.user = { id: 'user-9' };
      analytics.track({ event: 'After login' });
    });
    expect(analytics.messages.map((m) => m.userId)).toEqual([undefined, 'user-9']);
  });

  it('nests scopes, the inner context merged over the outer', () => {
    runWithScope({ context: { ip: '1.1.1.1' }, anonymousId: 'outer' }, () => {
      runWithScope({ context: { locale: 'en' } }, () => {
        expect(getCurrentScope()).toMatchObject({
          anonymousId: 'outer',
          context: { ip: '1.1.1.1', locale: 'en' },
        });
      });
    });
    expect(getCurrentScope()).toBeUndefined();
  });

  it('takes the user of the innermost scope that resolves users, at call time', () => {
    const analytics = createTestAnalytics();
    let outerUser: string | undefined = 'outer-user';
    runWithScope({ userId: () => outerUser, anonymousId: 'anon' }, () => {
      runWithScope({ context: { locale: 'en' } }, () => {
        analytics.track({ event: 'Outer user' });
        outerUser = 'signed-in-later';
        analytics.track({ event: 'Outer user, later' });
        runWithScope({ userId: () => 'inner-user' }, () =>
          analytics.track({ event: 'Inner user' }),
        );
      });
    });
    runWithScope({ anonymousId: 'a' }, () => {
      runWithScope({ context: { locale: 'en' } }, () => {
        expect(getCurrentScope()?.userId).toBeUndefined();
      });
    });
    expect(analytics.messages.map((m) => m.userId)).toEqual([
      'outer-user',
      'signed-in-later',
      'inner-user',
    ]);
  });
});
