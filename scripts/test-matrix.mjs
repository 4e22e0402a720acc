#!/usr/bin/env node
// The framework version matrix: every Next and NestJS major the peer ranges claim, each installed
// beside the packed @tributary tarballs in its own project outside the workspace (a workspace
// symlink would resolve `next` to the root's copy). Express 4 and 5 run in the e2e suites already.
// Projects live in a cache dir kept between runs (TRIBUTARY_MATRIX_DIR, default <tmp>/tributary-matrix),
// so a repeat run installs only the fresh tarballs.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packPackages, root, sh } from './pack-packages.mjs';

const started = Date.now();
const matrixDir = process.env.TRIBUTARY_MATRIX_DIR ?? join(tmpdir(), 'tributary-matrix');
const env = {
  ...process.env,
  TRIBUTARY_MATRIX_DIR: matrixDir,
  TURBO_TELEMETRY_DISABLED: '1',
  NEXT_TELEMETRY_DISABLED: '1',
};
const projects = JSON.parse(readFileSync(join(root, 'test/matrix/projects.json'), 'utf8'));
const only = process.argv.slice(2);

console.log('▶ matrix: build and pack the packages');
sh(
  'npx',
  [
    'turbo',
    'run',
    'build',
    '--filter=./packages/*',
    '--filter=@tributary/example-nestjs',
    '--output-logs=errors-only',
  ],
  { cwd: root, env },
);
const tarballs = packPackages(join(matrixDir, 'packs'));

for (const [name, project] of Object.entries(projects)) {
  if (only.length > 0 && !only.some((o) => name.startsWith(o))) continue;
  const dir = join(matrixDir, name);
  console.log(`▶ matrix: install ${name}`);
  mkdirSync(dir, { recursive: true });
  const dependencies = { ...project.dependencies };
  for (const pkg of project.tarballs) {
    dependencies[`@tributary/${pkg}`] = `file:${tarballs[pkg]}`;
  }
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: `matrix-${name.replace('.', '-')}`, private: true, type: 'module', dependencies }, null, 2)}\n`,
  );
  // Fresh tarballs under the same version: drop them and the lock so npm installs them again.
  rmSync(join(dir, 'node_modules/@tributary'), { recursive: true, force: true });
  rmSync(join(dir, 'package-lock.json'), { force: true });
  sh('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, env });
  if (project.fixture === 'next-app') {
    rmSync(join(dir, 'app'), { recursive: true, force: true });
    cpSync(join(root, 'test/matrix/next-app'), dir, { recursive: true });
  } else {
    rmSync(join(dir, 'app'), { recursive: true, force: true });
    cpSync(join(root, 'apps/example-nestjs/dist'), join(dir, 'app/dist'), { recursive: true });
    writeFileSync(join(dir, 'app/package.json'), '{ "type": "module" }\n');
  }
  const versions = Object.keys(project.dependencies)
    .filter((dep) => /^(next|@nestjs\/core)$/.test(dep))
    .map((dep) => {
      const file = join(dir, 'node_modules', dep, 'package.json');
      return `${dep}@${JSON.parse(readFileSync(file, 'utf8')).version}`;
    });
  console.log(`  installed ${versions.join(', ')}`);
}

const runs = [];
const wanted = (name) => only.length === 0 || only.some((o) => name.startsWith(o));
if (wanted('next')) {
  runs.push([
    'Next 15.0 / 15.5 / 16 (Turbopack, webpack)',
    ['--config', 'test/matrix/vitest.config.ts'],
    {},
  ]);
}
if (wanted('nest11')) {
  runs.push([
    'NestJS 11 (the NestJS e2e suite)',
    [
      '--config',
      'test/vitest.config.ts',
      'test/nestjs',
      '--outputFile.json=.reports/matrix-nest11.json',
    ],
    { TRIBUTARY_NEST_MAIN: join(matrixDir, 'nest11/app/dist/main.js') },
  ]);
}
let ok = true;
for (const [label, args, extra] of runs) {
  console.log(`▶ matrix: ${label}`);
  const result = spawnSync('npx', ['vitest', 'run', ...args], {
    cwd: root,
    env: { ...env, ...extra },
    stdio: 'inherit',
  });
  ok &&= result.status === 0;
}
console.log(`${ok ? '✔' : '✘'} matrix in ${Math.round((Date.now() - started) / 1000)} s`);
process.exit(ok ? 0 : 1);
