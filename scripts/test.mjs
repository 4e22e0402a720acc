#!/usr/bin/env node
// `npm test`: provision what the suites drive (scripts/provision.mjs: Chromium, redis-server),
// build, typecheck, lint and test every workspace through turbo, then the cross-package suites in
// test/ (the README snippets among them), then one plain summary line aggregated from vitest's
// JSON reports. Each step prints how long it took.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { failedTests, printFailures } from './failed-tests.mjs';
import { provision } from './provision.mjs';

// Before anything runs: a missing program stops here with one message, not as failures later.
if (!provision()) process.exit(1);

const root = new URL('..', import.meta.url).pathname;
const env = {
  ...process.env,
  TURBO_TELEMETRY_DISABLED: '1',
  NEXT_TELEMETRY_DISABLED: '1',
  FORCE_COLOR: '0',
};
const reportFiles = () => {
  const files = [];
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(join(root, group))) {
      const file = join(root, group, name, '.reports', 'vitest.json');
      if (existsSync(file)) files.push(file);
    }
  }
  for (const name of ['e2e', 'packed', 'matrix', 'matrix-nest11']) {
    const file = join(root, '.reports', `${name}.json`);
    if (existsSync(file)) files.push(file);
  }
  return files;
};
for (const file of reportFiles()) rmSync(file);

function run(label, command, args) {
  console.log(`\n▶ ${label}: ${command} ${args.join(' ')}`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, env, stdio: 'inherit' });
  const ok = result.status === 0;
  console.log(`${ok ? '✔' : '✘'} ${label} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  return { label, ok };
}

const steps = [
  run('workspaces (build, typecheck, lint, test, publint, attw)', 'npx', [
    'turbo',
    'run',
    'build',
    'typecheck',
    'lint',
    'test',
    '--continue',
    '--output-logs=errors-only',
  ]),
  run('formatting', 'npx', ['prettier', '--check', '.', '--log-level', 'warn']),
  run('end-to-end suites (test/)', 'npx', ['vitest', 'run', '--config', 'test/vitest.config.ts']),
  run('packed tarballs: publish dry run, README quick starts', 'node', ['scripts/test-packed.mjs']),
  run('version matrix: Next 15.0/15.5/16 (Turbopack, webpack), NestJS 11', 'node', [
    'scripts/test-matrix.mjs',
  ]),
];

let passed = 0;
let failed = 0;
const failures = [];
for (const file of reportFiles()) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += (report.numFailedTests ?? 0) + (report.numRuntimeErrorTests ?? 0);
  if (report.success === false && (report.numFailedTests ?? 0) === 0) failed += 1;
  failures.push(...failedTests(report, root));
}
const failedSteps = steps.filter((step) => !step.ok);
const stepFailures = failedSteps.length;
if (stepFailures > 0 && failed === 0) failed = stepFailures;
mkdirSync(join(root, '.reports'), { recursive: true });
// .ci/run adds the Node-matrix counts to these for its own closing line.
writeFileSync(join(root, '.reports', 'summary.json'), JSON.stringify({ passed, failed }));
for (const step of failedSteps) failures.push(`step: ${step.label}`);
printFailures(failures);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(stepFailures === 0 && failed === 0 ? 0 : 1);
