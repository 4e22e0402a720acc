import { defineConfig } from 'vitest/config';

// The tarball install test: run by scripts/test-packed.mjs, which packs every package, installs the
// tarballs into a clean project outside the workspace and passes it in TRIBUTARY_PACKED_DIR.
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/packed/**/*.packed.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: '.reports/packed.json' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
