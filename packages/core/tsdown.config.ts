import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsdown';

const { version } = JSON.parse(
  readFileSync(new URL('./package.json', import.meta.url), 'utf8'),
) as { version: string };

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    edge: 'src/edge.ts',
    testing: 'src/testing/index.ts',
    adapter: 'src/adapter/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  platform: 'neutral',
  target: 'es2022',
  sourcemap: true,
  clean: true,
  fixedExtension: true,
  define: { __TRIBUTARY_VERSION__: JSON.stringify(version) },
  external: [/^node:/, 'undici', 'jose'],
  outputOptions: (options, format) => {
    if (format !== 'cjs') return options;
    options.exports = 'named';
    // `require('@tributary/core')` is the default client itself, with every named export on it,
    // so the Python-style module use works from CommonJS too (see default-client.ts).
    options.footer = (chunk) =>
      chunk.isEntry && (chunk.name === 'index' || chunk.name === 'edge')
        ? "module.exports = exports.default[Symbol.for('tributary.commonjs')](exports);"
        : '';
    return options;
  },
});
