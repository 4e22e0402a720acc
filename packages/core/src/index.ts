/**
 * `@tributary/core` for Node.js: a Segment-compatible analytics client.
 * @packageDocumentation
 */
import { sharedDefaultClient } from './default-client.js';
import { nodeRuntime } from './runtime/node.js';
import { setRuntime } from './runtime/runtime.js';

setRuntime(nodeRuntime);

export * from './exports.js';

/**
 * The module-wide default client, configured like Python's module.
 * @example
 * import analytics from '@tributary/core';
 * analytics.writeKey = 'YOUR_WRITE_KEY';
 * analytics.track('f4ca124298', 'Signed Up', { plan: 'Enterprise' });
 */
const analytics = sharedDefaultClient('node');
export default analytics;
