// packages/collector/README.md, "In tests", with node:assert for vitest's expect.
import assert from 'node:assert/strict';
import { startCollector } from '@tributary/collector';
import { Analytics } from '@tributary/core';

const collector = await startCollector({ port: 0 }); // a free port, events in memory
const analytics = new Analytics({ writeKey: 'test', host: collector.url });

analytics.track('user-1', 'Order Completed', { total: 42 });
await analytics.flush();

const [event] = await collector.waitForEvents(1, { type: 'track' });
assert.equal(event.message.event, 'Order Completed');
assert.deepEqual(event.message.properties, { total: 42 });

collector.faults.set({ failNext: { status: 503, count: 2 } }); // the next two requests fail
collector.reset(); // forget events and counters between tests
await analytics.close();
await collector.close();
console.log('collector quick start ok');
