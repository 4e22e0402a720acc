/**
 * `@tributary/core` for edge runtimes (Vercel Edge, Next.js middleware, Cloudflare Workers): no `node:` imports: a Segment-compatible analytics client.
 * @packageDocumentation
 */
import { sharedDefaultClient } from './default-client.js';
import { edgeRuntime } from './runtime/edge.js';
import { setRuntime } from './runtime/runtime.js';

setRuntime(edgeRuntime);

export * from './exports.js';

/**
 * The module-wide default client, configured like Python's module.
 * @example
 * import analytics from '@tributary/core';
 * analytics.writeKey = 'YOUR_WRITE_KEY';
 * analytics.track('f4ca124298', 'Signed Up', { plan: 'Enterprise' });
 */
const analytics = sharedDefaultClient('edge');
export default analytics;
