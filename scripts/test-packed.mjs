#!/usr/bin/env node
// Install from the packed tarballs: `npm pack` every package, install the tarballs into a clean
// project outside the workspace (registry dependencies only) and run each README's quick start there
// (test/packed), after an `npm publish --dry-run` of each package. The project dir is kept between runs (TRIBUTARY_PACKED_DIR, default
// <tmp>/tributary-packed/project) so better-sqlite3 compiles once; the tarballs are always fresh.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { packPackages, root, sh } from './pack-packages.mjs';

const started = Date.now();
const project = process.env.TRIBUTARY_PACKED_DIR ?? join(tmpdir(), 'tributary-packed', 'project');
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', NEXT_TELEMETRY_DISABLED: '1' };

console.log('▶ packed: build and pack the packages');
sh('npx', ['turbo', 'run', 'build', '--filter=./packages/*', '--output-logs=errors-only'], {
  cwd: root,
  env,
});
const tarballs = packPackages(join(dirname(project), 'packs'));

// What `changeset publish` would upload (its config has access: public), without uploading.
console.log('▶ packed: publish dry run of every package');
for (const dir of Object.keys(tarballs)) {
  sh('npm', ['publish', '--dry-run', '--access', 'public', '--loglevel=error'], {
    cwd: join(root, 'packages', dir),
    env,
  });
}

console.log(`▶ packed: install the tarballs into ${project}`);
mkdirSync(project, { recursive: true });
const dependencies = {
  express: '5.3.0',
  '@nestjs/common': '12.5.1',
  '@nestjs/core': '12.5.1',
  '@nestjs/platform-express': '12.5.1',
  'reflect-metadata': '0.2.2',
  rxjs: '7.8.2',
  next: '16.4.6',
  react: '19.3.1',
  'react-dom': '19.3.1',
  typescript: '6.0.3',
  '@types/node': '20.19.43',
};
for (const [dir, tarball] of Object.entries(tarballs))
  dependencies[`@tributary/${dir}`] = `file:${tarball}`;
writeFileSync(
  join(project, 'package.json'),
  `${JSON.stringify({ name: 'packed-quick-starts', private: true, type: 'module', dependencies }, null, 2)}\n`,
);
rmSync(join(project, 'node_modules/@tributary'), { recursive: true, force: true });
rmSync(join(project, 'package-lock.json'), { force: true });
sh('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project, env });
cpSync(join(root, 'test/packed/quick-starts'), project, { recursive: true });
sh(join(project, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: project, env });

console.log('▶ packed: README quick starts');
const result = spawnSync('npx', ['vitest', 'run', '--config', 'test/packed/vitest.config.ts'], {
  cwd: root,
  env: { ...env, TRIBUTARY_PACKED_DIR: project },
  stdio: 'inherit',
});
const ok = result.status === 0;
console.log(`${ok ? '✔' : '✘'} packed in ${Math.round((Date.now() - started) / 1000)} s`);
process.exit(ok ? 0 : 1);
