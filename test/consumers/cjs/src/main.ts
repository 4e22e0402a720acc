import analytics, { Analytics, AnalyticsError, regions } from '@tributary/core';
import { createTestAnalytics } from '@tributary/core/testing';

const client = new Analytics({ writeKey: 'consumer', host: regions.dublin, send: false });
const accepted: boolean = client.track('user-1', 'Signed Up', { plan: 'free' });
const test = createTestAnalytics();
test.identify({ userId: 'user-1', traits: { plan: 'free' } });
analytics.send = false;
analytics.writeKey = 'consumer';
const viaDefault: boolean = analytics.page('user-1', 'Docs', 'Quick start');
const isError: boolean = new Error('x') instanceof AnalyticsError;
console.log(
  JSON.stringify({ format: 'cjs', accepted, viaDefault, isError, recorded: test.messages.length }),
);

import { analyticsMiddleware } from '@tributary/express';
import { startCollector } from '@tributary/collector';

const adapters: string[] = [typeof analyticsMiddleware, typeof startCollector];
console.error(adapters.join(','));
