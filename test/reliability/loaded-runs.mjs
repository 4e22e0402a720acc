#!/usr/bin/env node
// Runs test/reliability RUNS times in a row while a child process keeps one core busy, and counts
// the runs that failed. Stops starting runs after DEADLINE_MS; the busy child is always stopped.
//   node test/reliability/loaded-runs.mjs [runs=20] [deadline-minutes=60] [busy-processes=1]
// Writes test/reliability/results/loaded-runs.json (and loaded-run-<n>.log, the output of each
// failed run) and prints one line per run and a summary.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = new URL('../..', import.meta.url).pathname;
const runs = Number(process.argv[2] ?? 20);
const deadline = Date.now() + Number(process.argv[3] ?? 60) * 60_000;
const summaryFile = new URL('./results/loaded-runs.json', import.meta.url);

// The load: processes spinning on one core each for the whole series.
const busy = Array.from({ length: Number(process.argv[4] ?? 1) }, () =>
  spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }),
);
const stopBusy = () => {
  for (const child of busy) if (child.exitCode === null) child.kill('SIGKILL');
};
process.on('exit', stopBusy);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

const results = [];
for (let i = 1; i <= runs && Date.now() < deadline; i++) {
  const started = Date.now();
  const run = spawnSync(
    'npx',
    ['vitest', 'run', '--config', 'test/vitest.config.ts', 'test/reliability'],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: '0' },
      // Bounded: a hung run counts as a failure instead of eating the series.
      timeout: 10 * 60_000,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const output = `${run.stdout}\n${run.stderr}`;
  const failedTests = [...output.matchAll(/^\s*(?:×|✗|FAIL)\s+(.+)$/gm)].map((m) => m[1].trim());
  const ok = run.status === 0;
  // A failed run's whole output is kept: the summary line alone does not say why.
  const log = ok
    ? undefined
    : fileURLToPath(new URL(`./results/loaded-run-${i}.log`, import.meta.url));
  if (log !== undefined) {
    mkdirSync(dirname(log), { recursive: true });
    writeFileSync(log, output);
  }
  results.push({
    run: i,
    ok,
    status: run.status,
    signal: run.signal,
    seconds: Math.round((Date.now() - started) / 100) / 10,
    failedTests: ok ? [] : [...new Set(failedTests)],
    log,
  });
  console.log(
    `run ${i}: ${ok ? 'passed' : 'FAILED'} in ${results.at(-1).seconds} s${ok ? '' : `: ${results.at(-1).failedTests.join('; ') || `exit ${run.status ?? run.signal}`}`}`,
  );
}
stopBusy();
const failed = results.filter((r) => !r.ok).length;
const summary = {
  finishedAt: new Date().toISOString(),
  node: process.version,
  cpus: spawnSync('nproc', { encoding: 'utf8' }).stdout.trim(),
  load: `${busy.length} \`node -e "for (;;) {}"\` process(es) spinning for the whole series`,
  requested: runs,
  completed: results.length,
  failed,
  results,
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(summaryFile, `${JSON.stringify(summary, null, 2)}\n`);
console.log(`${results.length} loaded run(s) of test/reliability: ${failed} failed`);
process.exit(failed === 0 && results.length === runs ? 0 : 1);
