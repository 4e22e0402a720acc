import { suiteConfig } from '../suite-config.js';

// The framework version matrix: run by scripts/test-matrix.mjs, which installs each version from the
// packed tarballs into its own project and passes the directory in TRIBUTARY_MATRIX_DIR.
export default suiteConfig({
  include: ['test/matrix/**/*.matrix.ts'],
  report: 'matrix',
  hookTimeout: 240_000,
});
