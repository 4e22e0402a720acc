import analytics, {
  Analytics,
  AnalyticsError,
  type AnalyticsOptions,
  type FlushReport,
} from '@tributary/core';
import { createTestAnalytics } from '@tributary/core/testing';

type Plan = { 'Order Completed': { orderId: string; total: number } };
const options: AnalyticsOptions = { writeKey: 'consumer', send: false, flushAt: 10 };
const client = new Analytics<Plan>(options);
const accepted: boolean = client.track('user-1', 'Order Completed', { orderId: 'o-1', total: 10 });
const test = createTestAnalytics<Plan>();
test.track({
  userId: 'user-1',
  event: 'Order Completed',
  properties: { orderId: 'o-2', total: 5 },
});
analytics.send = false;
analytics.writeKey = 'consumer';
const report: FlushReport = await client.close();
const isError: boolean = new Error('x') instanceof AnalyticsError;
console.log(
  JSON.stringify({
    format: 'esm',
    accepted,
    pending: report.pending,
    isError,
    recorded: test.messages.length,
  }),
);

import { analyticsMiddleware } from '@tributary/express';
import { startCollector } from '@tributary/collector';

const adapters: string[] = [typeof analyticsMiddleware, typeof startCollector];
console.error(adapters.join(','));
