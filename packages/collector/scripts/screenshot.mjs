// Regenerates docs/debugger.png, the README's screenshot: `npx tsdown && node scripts/screenshot.mjs`.
import { Analytics } from '@tributary/core';
import { chromium } from 'playwright-core';
import { startCollector } from '../dist/index.mjs';

const collector = await startCollector({ port: 0, writeKeys: ['demo-write-key'] });
const analytics = new Analytics({
  writeKey: 'demo-write-key',
  host: collector.url,
  flushInterval: 10,
});
const anonymousId = '4d3c2b1a-9f8e-4a7b-8c6d-5e4f3a2b1c0d';
const userId = 'user-2f9c41';
analytics.page({ anonymousId, name: 'Home', properties: { path: '/' } });
analytics.page({
  anonymousId,
  category: 'Docs',
  name: 'Pricing',
  properties: { path: '/pricing' },
});
analytics.track({
  anonymousId,
  event: 'Product Viewed',
  properties: { product_id: 'tea-sampler', price: 18 },
});
analytics.track({
  anonymousId,
  userId,
  event: 'Signed Up',
  properties: { method: 'email', plan: 'trial' },
});
analytics.alias(anonymousId, userId);
analytics.identify(userId, { email: 'ada@example.com', name: 'Ada Lovelace', plan: 'trial' });
analytics.group(userId, 'analytical-engines', { name: 'Analytical Engines Ltd', employees: 12 });
analytics.track(userId, 'Order Completed', {
  order_id: 'ord-1001',
  revenue: 36,
  currency: 'EUR',
  products: [{ product_id: 'tea-sampler', quantity: 2, price: 18 }],
});
analytics.screen({
  userId,
  category: 'Orders',
  name: 'Order Detail',
  properties: { order_id: 'ord-1001' },
});
await analytics.flush();
await fetch(`${collector.url}/v1/batch`, {
  method: 'POST',
  headers: { authorization: `Basic ${Buffer.from('old-key:').toString('base64')}` },
  body: '{"batch":[]}',
});
collector.faults.set({ rateLimit: { count: 1, retryAfter: 2 } });
analytics.track(userId, 'Checkout Started', { order_id: 'ord-1002', value: 54.5 });
await analytics.close();

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu'],
});
const page = await browser.newPage({
  viewport: { width: 1280, height: 860 },
  deviceScaleFactor: 1,
});
await page.goto(collector.url);
await page.locator('[data-testid=event-row]').nth(9).waitFor();
await page.locator('[data-testid=event-row]', { hasText: 'Order Completed' }).click();
await page.screenshot({ path: new URL('../docs/debugger.png', import.meta.url).pathname });
await browser.close();
await collector.close();
console.log('wrote docs/debugger.png');
