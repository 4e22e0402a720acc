import { suiteConfig } from '../suite-config.js';

// The tarball install test: run by scripts/test-packed.mjs, which packs every package, installs the
// tarballs into a clean project outside the workspace and passes it in TRIBUTARY_PACKED_DIR.
export default suiteConfig({
  include: ['test/packed/**/*.packed.ts'],
  report: 'packed',
  hookTimeout: 60_000,
});
