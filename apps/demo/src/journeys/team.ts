import type { Journey } from './journey.js';

/** The new user creates a team: group, then a teammate is invited. */
export const team: Journey = {
  name: 'team',
  description: 'group the user into a company, invite a teammate',
  async run({ analytics, visitor, log }) {
    analytics.group(visitor.userId, visitor.groupId, {
      name: 'Analytical Engines Ltd',
      industry: 'Computing',
      employees: 12,
      plan: 'team',
    });
    analytics.track(visitor.userId, 'Teammate Invited', {
      invitee_email: 'charles@example.com',
      role: 'admin',
    });
    log(`${visitor.userId} joined group ${visitor.groupId}`);
  },
};
