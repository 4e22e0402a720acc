import { randomUUID } from 'node:crypto';

/**
 * The one track event every SDK sends: 11 properties, a nested object and an array, about 600
 * bytes once an SDK has wrapped it. A fresh object per call, as an application builds one.
 */
export const EVENT_NAME = 'Order Completed';

const USER_IDS = Array.from({ length: 1024 }, (_, i) => `user-${String(100_000 + i)}`);

/** A user id from a fixed pool, so building it costs the loop nothing. */
export function userIdFor(i: number): string {
  return USER_IDS[i & 1023]!;
}

export function eventProperties(i: number): Record<string, unknown> {
  return {
    orderId: 'ord_8f14e45fceea',
    checkoutId: 'chk_c9f0f895fb98',
    total: 129.95,
    revenue: 119.95,
    shipping: 10,
    tax: 8.5,
    currency: 'USD',
    coupon: 'SPRING25',
    position: i,
    shippingAddress: { city: 'Lisbon', country: 'PT', postalCode: '1100-148' },
    products: [
      { sku: 'SKU-4A81', name: 'Trail Shoes', price: 89.95, quantity: 1 },
      { sku: 'SKU-77C0', name: 'Wool Socks', price: 30, quantity: 1 },
    ],
  };
}

/** The event as the wire-limit client sends it: a finished Segment message. */
export function wireMessage(i: number): object {
  return {
    type: 'track',
    messageId: randomUUID(),
    timestamp: new Date().toISOString(),
    context: { library: { name: 'wire-limit', version: '0.0.0' } },
    userId: userIdFor(i),
    event: EVENT_NAME,
    properties: eventProperties(i),
  };
}
