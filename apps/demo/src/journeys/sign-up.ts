import type { Journey } from './journey.js';

/** The visitor signs up: the anonymous history is tied to the new user with alias, then identify. */
export const signUp: Journey = {
  name: 'sign-up',
  description: 'track Signed Up, alias anonymousId → userId, identify with traits',
  async run({ analytics, visitor, log }) {
    analytics.track({
      anonymousId: visitor.anonymousId,
      userId: visitor.userId,
      event: 'Signed Up',
      properties: { method: 'email', plan: 'trial' },
    });
    analytics.alias(visitor.anonymousId, visitor.userId);
    analytics.identify(visitor.userId, {
      email: visitor.email,
      name: 'Ada Lovelace',
      plan: 'trial',
      createdAt: new Date().toISOString(),
    });
    log(`${visitor.anonymousId} → ${visitor.userId} (${visitor.email})`);
  },
};
