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
