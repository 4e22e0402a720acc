import { Analytics as AnalyticsOnAnyRuntime } from './analytics.js';
import type { AnyPlan, TrackingPlan } from './messages/types.js';
import { nodeRuntime } from './runtime/node.js';
import { RUNTIME } from './runtime/runtime.js';

/**
 * A Segment-compatible analytics client for Node.js: undici keep-alive transport, gzip, durable
 * outbox, delivery at process end. Calls validate, serialize and queue a message and return
 * `true`, or report the problem through `onError` and return `false`; they never throw and never
 * wait on I/O. Delivery happens in the background, in batches.
 *
 * @example
 * const analytics = new Analytics({ writeKey: process.env.SEGMENT_WRITE_KEY });
 * analytics.identify('019mr8mf4r', { email: 'john@example.com', plan: 'Premium' });
 * analytics.track('f4ca124298', 'Signed Up', { plan: 'Enterprise' });
 * await analytics.close();
 */
export class Analytics<TPlan extends TrackingPlan = AnyPlan> extends AnalyticsOnAnyRuntime<TPlan> {
  static readonly [RUNTIME] = nodeRuntime;
}
