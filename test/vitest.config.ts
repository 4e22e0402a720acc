import { suiteConfig } from './suite-config.js';

// Cross-package end-to-end suites: real processes, real collector, built packages.
export default suiteConfig({
  include: ['test/**/*.test.ts'],
  exclude: ['**/node_modules/**', 'test/**/fixtures/**', 'test/reliability/soak/**'],
  report: 'e2e',
  hookTimeout: 180_000,
});
