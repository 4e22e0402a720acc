import { existsSync } from 'node:fs';
import { Analytics } from '@tributary/core';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../src/index.js';
import { startCollector } from '../src/index.js';
import { basic, post } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
let browser: Browser;
let collector: RunningCollector;
let analytics: Analytics;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it).`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  collector = await startCollector({ port: 0, writeKeys: ['debugger-key'] });
  // One page for the suite (a new page costs about a second on a busy machine); each test navigates afresh.
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
});
beforeEach(async () => {
  await page.goto('about:blank');
  collector.reset();
  analytics = new Analytics({ writeKey: 'debugger-key', host: collector.url, flushInterval: 10 });
});
afterEach(async () => {
  await analytics.close();
  expect(pageErrors).toEqual([]);
});
afterAll(async () => {
  await browser?.close();
  await collector?.close();
});

const rows = () => page.locator('[data-testid=event-row]');
const openPage = async () => {
  await page.goto(collector.url);
  await page.locator('#status[data-state=live]').waitFor();
};

describe('the debugger page', () => {
  it('is one self-contained document that loads nothing from elsewhere', async () => {
    const response = await fetch(collector.url);
    const html = await response.text();
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+stylesheet|https?:\/\/(?!www\.w3\.org)/);
  });

  it('shows events sent by the core client live, with type, name, user and time', async () => {
    await openPage();
    analytics.track('user-1', 'Order Completed', { total: 10 });
    analytics.page({ anonymousId: 'anon-1', name: 'Pricing' });
    await analytics.flush();
    await expect.poll(() => rows().count()).toBe(2);
    const first = rows().first();
    expect(await first.getAttribute('data-type')).toBe('page');
    expect(await first.innerText()).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3}\s+page\s+Pricing\s+anon anon-1$/,
    );
    expect(await rows().nth(1).innerText()).toContain('Order Completed');
    await expect.poll(() => page.locator('#count-track .n').innerText()).toBe('1');
    expect(await page.locator('#count-total').innerText()).toBe('2');
  });

  it('lists events stored before the page was opened', async () => {
    analytics.identify('user-2', { email: 'a@example.com' });
    await analytics.flush();
    await openPage();
    await expect.poll(() => rows().count()).toBe(1);
    expect(await rows().first().innerText()).toContain('traits: email');
  });

  it('shows the full payload as pretty JSON when an event is clicked', async () => {
    analytics.track('user-3', 'Product Viewed', { sku: 'T-1', price: 18 });
    await analytics.flush();
    await openPage();
    await rows().first().click();
    const json = await page.locator('#detail-json').innerText();
    const message = JSON.parse(json) as Record<string, unknown>;
    expect(message).toMatchObject({
      type: 'track',
      event: 'Product Viewed',
      userId: 'user-3',
      properties: { sku: 'T-1', price: 18 },
    });
    expect(message.receivedAt).toEqual(expect.any(String));
    expect(json).toContain('\n  "type": "track"');
    expect(await page.locator('#detail-json .j-key').count()).toBeGreaterThan(3);
  });

  it('filters by type, event name and user', async () => {
    analytics.track('alice', 'Signed Up');
    analytics.track('bob', 'Order Completed');
    analytics.page('alice', null, 'Home');
    analytics.identify('bob', { plan: 'pro' });
    await analytics.flush();
    await openPage();
    await expect.poll(() => rows().count()).toBe(4);

    await page.selectOption('#filter-type', 'track');
    expect(await rows().count()).toBe(2);
    await page.fill('#filter-user', 'ali');
    expect(await rows().count()).toBe(1);
    expect(await rows().first().innerText()).toContain('Signed Up');

    await page.selectOption('#filter-type', '');
    await page.fill('#filter-user', '');
    await page.fill('#filter-event', 'order');
    expect(await rows().count()).toBe(1);
    expect(await rows().first().innerText()).toContain('bob');

    await page.fill('#filter-event', '');
    await page.locator('#count-identify').click();
    expect(await rows().count()).toBe(1);
    expect(await rows().first().getAttribute('data-type')).toBe('identify');
    await page.locator('#count-identify').click();
    expect(await rows().count()).toBe(4);

    // A live event that does not match the filters stays out of the list.
    await page.selectOption('#filter-type', 'page');
    analytics.track('carol', 'Hidden');
    await analytics.flush();
    await expect.poll(() => page.locator('#count-total').innerText()).toBe('5');
    expect(await rows().count()).toBe(1);
  });

  it('holds new events back while paused and shows them on resume', async () => {
    await openPage();
    await page.click('#pause');
    expect(await page.locator('#status').getAttribute('data-state')).toBe('paused');
    analytics.track('user-4', 'While Paused');
    await analytics.flush();
    await expect
      .poll(() => page.locator('#pending-text').innerText())
      .toContain('1 new event held back');
    expect(await rows().count()).toBe(0);
    await page.click('#pause');
    await expect.poll(() => rows().count()).toBe(1);
    expect(await page.locator('#pending').isHidden()).toBe(true);
  });

  it('renders markup inside events as text, never as HTML', async () => {
    await openPage();
    await page.evaluate(() => {
      (window as unknown as { __xss?: boolean }).__xss = false;
    });
    analytics.track(
      '<img src=x onerror="window.__xss=true">',
      '<script>window.__xss=true</script>',
      {
        html: '<script>window.__xss=true</script>',
      },
    );
    await analytics.flush();
    await expect.poll(() => rows().count()).toBe(1);
    expect(await rows().first().innerText()).toContain('<script>window.__xss=true</script>');
    await rows().first().click();
    expect(await page.locator('#detail-json').innerText()).toContain(
      '"html": "<script>window.__xss=true</script>"',
    );
    expect(await page.locator('#events script, #events img, #detail-json script').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: boolean }).__xss)).toBe(false);
  });

  it('lists rejected requests with their reason and counts them', async () => {
    await openPage();
    await post(
      collector.url,
      '/v1/batch',
      { batch: [] },
      { headers: { authorization: basic('wrong-key') } },
    );
    await post(collector.url, '/v1/batch', '{oops', {
      raw: true,
      headers: { authorization: basic('debugger-key') },
    });
    const rejections = page.locator('[data-testid=rejection-row]');
    await expect.poll(() => rejections.count()).toBe(2);
    expect(await rejections.first().innerText()).toContain('invalid_json');
    expect(await rejections.nth(1).innerText()).toMatch(/401\s+unauthorized/);
    expect(await page.locator('#count-rejected').innerText()).toBe('2');
  });

  it('empties the list when the events are cleared', async () => {
    analytics.track('user-5', 'To Clear');
    await analytics.flush();
    await openPage();
    await expect.poll(() => rows().count()).toBe(1);
    await page.click('#clear');
    await expect.poll(() => rows().count()).toBe(0);
    expect(collector.events()).toEqual([]);
  });
});
