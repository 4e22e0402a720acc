import { defineConfig } from 'tsdown';

// Four runnable files: the orchestrator (dist/bench.mjs, what `npm run bench` starts) and the three
// kinds of child process it forks. The SDKs under test stay external, loaded as their users load them.
export default defineConfig({
  entry: {
    bench: 'src/bench.ts',
    sink: 'src/sink.ts',
    worker: 'src/worker.ts',
    'express-app': 'src/express-app.ts',
  },
  format: ['esm'],
  platform: 'node',
  target: 'es2022',
  dts: false,
  sourcemap: true,
  clean: true,
  fixedExtension: true,
  external: [
    /^node:/,
    /^@tributary\//,
    /^@segment\//,
    'posthog-node',
    'express',
    'undici',
    'autocannon',
  ],
});
