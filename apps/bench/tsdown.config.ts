import { defineConfig } from 'tsdown';

// Runnable files: the orchestrator (dist/bench.mjs, what `npm run bench` starts), the kinds of child
// process it forks, and the probe it loads into `next start` (the Next.js app in next-app/ is built
// by `next build`). The SDKs and frameworks under test stay external, loaded as their users load them.
export default defineConfig({
  entry: {
    bench: 'src/bench.ts',
    sink: 'src/sink.ts',
    worker: 'src/worker.ts',
    'express-app': 'src/express-app.ts',
    'nest-app': 'src/nest-app.ts',
    'next-probe': 'src/next-probe.ts',
    'profile-summary': 'src/profile-summary.ts',
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
    'express4',
    /^@nestjs\//,
    'reflect-metadata',
    'rxjs',
    'undici',
    'autocannon',
  ],
});
