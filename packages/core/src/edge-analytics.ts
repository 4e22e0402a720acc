import { Analytics as AnalyticsOnAnyRuntime } from './analytics.js';
import type { AnyPlan, TrackingPlan } from './messages/types.js';
import { edgeRuntime } from './runtime/edge.js';
import { RUNTIME } from './runtime/runtime.js';

/**
 * A Segment-compatible analytics client for edge runtimes (Vercel Edge, Next.js middleware,
 * Cloudflare Workers): `fetch` transport, no `node:` imports. Calls never throw and never wait
 * on I/O; pass `waitUntil` so the platform keeps the isolate alive until delivery.
 *
 * @example
 * const analytics = new Analytics({ writeKey: env.SEGMENT_WRITE_KEY, waitUntil: (p) => ctx.waitUntil(p) });
 * analytics.track('f4ca124298', 'Signed Up', { plan: 'Enterprise' });
 */
export class Analytics<TPlan extends TrackingPlan = AnyPlan> extends AnalyticsOnAnyRuntime<TPlan> {
  static readonly [RUNTIME] = edgeRuntime;
}
