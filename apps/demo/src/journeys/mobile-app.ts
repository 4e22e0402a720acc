import type { Journey } from './journey.js';

/** The user opens the mobile app: screen views and an in-app event. */
export const mobileApp: Journey = {
  name: 'mobile app',
  description: 'screen views and an in-app event from the mobile app',
  async run({ analytics, visitor, log }) {
    const context = {
      app: { name: 'Tributary Tea', version: '2.4.0' },
      os: { name: 'iOS', version: '18.2' },
    };
    analytics.screen({ userId: visitor.userId, name: 'Home', context });
    analytics.screen({
      userId: visitor.userId,
      category: 'Orders',
      name: 'Order Detail',
      properties: { order_id: 'ord-1002' },
      context,
    });
    analytics.track({
      userId: visitor.userId,
      event: 'Push Notification Tapped',
      properties: { campaign: 'restock' },
      context,
    });
    log('2 screens, 1 in-app event');
  },
};
