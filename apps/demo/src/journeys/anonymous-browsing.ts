import type { Journey } from './journey.js';

/** A visitor browses the shop before signing up: page views and product views under an anonymousId. */
export const anonymousBrowsing: Journey = {
  name: 'anonymous browsing',
  description: 'page views and product views under an anonymousId',
  async run({ analytics, visitor, log }) {
    const anonymousId = visitor.anonymousId;
    const context = {
      page: { referrer: 'https://news.example.com/' },
      userAgent: 'Mozilla/5.0 (demo)',
    };
    analytics.page({
      anonymousId,
      name: 'Home',
      properties: { path: '/', url: 'https://shop.example.com/' },
      context,
    });
    analytics.page({
      anonymousId,
      category: 'Docs',
      name: 'Pricing',
      properties: { path: '/pricing' },
      context,
    });
    analytics.page({
      anonymousId,
      category: 'Shop',
      name: 'Product',
      properties: { path: '/products/tea-sampler' },
    });
    analytics.track({
      anonymousId,
      event: 'Product Viewed',
      properties: { product_id: 'tea-sampler', name: 'Tea sampler', price: 18, currency: 'EUR' },
    });
    analytics.track({
      anonymousId,
      event: 'Product Added',
      properties: { product_id: 'tea-sampler', quantity: 1, price: 18, currency: 'EUR' },
    });
    log(`anonymousId ${anonymousId}: 3 pages, 2 product events`);
  },
};
