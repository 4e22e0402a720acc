/**
 * `@tributary/core/testing`: a client for your own tests that records the exact messages that
 * would go on the wire, and sends nothing.
 * @packageDocumentation
 */
export {
  createTestAnalytics,
  type TestAnalytics,
  type TestAnalyticsOptions,
} from './test-analytics.js';

import { nodeRuntime } from '../runtime/node.js';
import { setRuntime } from '../runtime/runtime.js';

// The test client runs on Node; installing the runtime here lets tests import only this entry.
setRuntime(nodeRuntime);
