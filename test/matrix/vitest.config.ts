import { defineConfig } from 'vitest/config';

// The framework version matrix: run by scripts/test-matrix.mjs, which installs each version from the
// packed tarballs into its own project and passes the directory in TRIBUTARY_MATRIX_DIR.
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/matrix/**/*.matrix.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: '.reports/matrix.json' },
    testTimeout: 60_000,
    hookTimeout: 240_000,
    fileParallelism: false,
  },
});
