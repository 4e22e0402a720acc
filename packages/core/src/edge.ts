/**
 * `@tributary/core` for edge runtimes (Vercel Edge, Next.js middleware, Cloudflare Workers): no `node:` imports: a Segment-compatible analytics client.
 * @packageDocumentation
 */
import {
  createDefaultClientOf,
  sharedDefaultClient,
  type DefaultClient,
} from './default-client.js';
import { Analytics } from './edge-analytics.js';

export * from './exports.js';
export { Analytics };

/**
 * Builds a module-wide client like Python's `analytics` module (the default export is one):
 * settable properties, created lazily on the first call.
 */
export function createDefaultClient(): DefaultClient {
  return createDefaultClientOf(Analytics);
}

/**
 * The module-wide default client, configured like Python's module.
 * @example
 * import analytics from '@tributary/core';
 * analytics.writeKey = 'YOUR_WRITE_KEY';
 * analytics.track('f4ca124298', 'Signed Up', { plan: 'Enterprise' });
 */
const analytics = sharedDefaultClient(Analytics, 'edge');
export default analytics;
