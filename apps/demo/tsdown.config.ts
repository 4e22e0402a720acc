import { defineConfig } from 'tsdown';

// One runnable file, dist/demo.mjs (what the root `npm run demo` starts); the workspace packages stay external.
export default defineConfig({
  entry: { demo: 'src/demo.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'es2022',
  dts: false,
  sourcemap: true,
  clean: true,
  fixedExtension: true,
  external: [/^node:/, /^@tributary\//],
});
