import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  platform: 'node',
  target: 'es2022',
  sourcemap: true,
  clean: true,
  fixedExtension: true,
  external: [/^node:/, 'express', /^@tributary\/core/],
});
