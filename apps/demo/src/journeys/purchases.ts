import type { Journey } from './journey.js';

/** The user checks out twice, following Segment's e-commerce spec event names. */
export const purchases: Journey = {
  name: 'purchases',
  description: 'checkout and two completed orders',
  async run({ analytics, visitor, log }) {
    const orders = [
      {
        order_id: 'ord-1001',
        total: 36,
        products: [{ product_id: 'tea-sampler', quantity: 2, price: 18 }],
      },
      {
        order_id: 'ord-1002',
        total: 54.5,
        products: [{ product_id: 'teapot', quantity: 1, price: 54.5 }],
      },
    ];
    for (const order of orders) {
      analytics.track(visitor.userId, 'Checkout Started', {
        order_id: order.order_id,
        value: order.total,
        currency: 'EUR',
      });
      analytics.track(visitor.userId, 'Order Completed', {
        ...order,
        revenue: order.total,
        currency: 'EUR',
      });
    }
    analytics.identify(visitor.userId, { plan: 'paid', lifetime_value: 90.5 });
    log(`2 orders, € ${orders.reduce((sum, o) => sum + o.total, 0).toFixed(2)}`);
  },
};
