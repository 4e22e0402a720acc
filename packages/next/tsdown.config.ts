import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: { index: 'src/index.ts', middleware: 'src/middleware-entry.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  platform: 'neutral',
  target: 'es2022',
  sourcemap: true,
  clean: true,
  fixedExtension: true,
  external: [/^next(\/|$)/, 'react', /^@tributary\/core(\/|$)/],
});
