import { defineConfig } from 'tsdown';

// Decorator metadata (`design:paramtypes`) is emitted because tsdown reads `experimentalDecorators`
// and `emitDecoratorMetadata` from tsconfig.json; the module also injects every dependency by token.
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  platform: 'node',
  target: 'es2022',
  sourcemap: true,
  clean: true,
  fixedExtension: true,
  external: [/^@nestjs\//, /^rxjs/, 'reflect-metadata', /^@tributary\/core/],
});
