import { defineConfig } from 'vitest/config';

// Cross-package end-to-end suites: real processes, real collector, built packages.
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'test/**/fixtures/**', 'test/reliability/soak/**'],
    reporters: ['default', 'json'],
    outputFile: { json: '.reports/e2e.json' },
    testTimeout: 60_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
