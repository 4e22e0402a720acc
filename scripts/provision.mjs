#!/usr/bin/env node
// The first step of `npm test` and `.ci/run`: make sure the programs the suites drive exist.
// On Debian/Ubuntu, as root or with passwordless sudo, it installs the missing ones with apt-get;
// anywhere else (or with TRIBUTARY_NO_INSTALL=1) it stops with one message naming every missing
// program and the command that installs it. It never lets a suite start without them: a test
// does not skip itself for a missing program, it fails, and a wall of such failures helps nobody.
//   node scripts/provision.mjs        check, install if allowed, exit 1 if still missing
// Plain Node, no dependencies: `.ci/run` calls it before `npm ci`.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the suites need, the Debian package that provides it, and why. */
export const REQUIREMENTS = [
  {
    program: 'chromium',
    apt: 'chromium',
    why: "the collector's debugger page and its security checks run in a real headless browser",
  },
  {
    program: 'redis-server',
    apt: 'redis-server',
    why: "core's Redis outbox is tested against a real Redis",
  },
];

/** Where `program` is on `path` (a PATH string), or `undefined`. */
export function findProgram(program, path = process.env.PATH ?? '') {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const file = join(dir, program);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * Decides what to do about `missing` requirements on a machine described by `host`:
 * `{ action: 'none' }`, `{ action: 'install', command, line }` or `{ action: 'stop', message }`.
 * Pure, so the decision is unit-tested without touching the machine.
 */
export function planProvision(missing, host) {
  if (missing.length === 0) return { action: 'none' };
  const packages = missing.map((r) => r.apt);
  const names = missing.map((r) => r.program).join(' and ');
  const sudo = host.isRoot ? [] : ['sudo'];
  const install = [
    ...sudo,
    'sh',
    '-c',
    `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${packages.join(' ')} >/dev/null`,
  ];
  const manual = host.apt
    ? `Install with: ${sudo.length ? 'sudo ' : ''}apt-get update && ${sudo.length ? 'sudo ' : ''}apt-get install -y ${packages.join(' ')}`
    : `Install ${names} with your system's package manager so that ${missing.length > 1 ? 'both are' : 'it is'} on PATH (on Debian/Ubuntu: apt-get install -y ${packages.join(' ')})`;
  const allowed =
    !host.noInstall && host.debianLike && host.apt && (host.isRoot || host.passwordlessSudo);
  if (allowed) {
    return {
      action: 'install',
      command: install,
      line: `▶ provisioning: installing ${missing.map((r) => `${r.apt} (${r.why})`).join(' and ')} with apt-get`,
    };
  }
  const reason = host.noInstall
    ? 'TRIBUTARY_NO_INSTALL is set'
    : !host.debianLike || !host.apt
      ? 'this is not a Debian/Ubuntu machine with apt-get'
      : 'installing needs root or passwordless sudo';
  return {
    action: 'stop',
    message:
      `✘ The tests need ${names}, missing from PATH; nothing was run (${reason}).\n` +
      missing.map((r) => `  - ${r.program}: ${r.why}\n`).join('') +
      `  ${manual}`,
  };
}

/** Describes the machine this runs on, as `planProvision` reads it. */
export function describeHost(env = process.env) {
  let osRelease = '';
  try {
    osRelease = readFileSync('/etc/os-release', 'utf8');
  } catch {
    // not Linux, or a minimal image
  }
  const apt = findProgram('apt-get', env.PATH) !== undefined || existsSync('/usr/bin/apt-get');
  const sudoPath = findProgram('sudo', env.PATH);
  return {
    noInstall: env.TRIBUTARY_NO_INSTALL === '1',
    debianLike:
      existsSync('/etc/debian_version') || /^ID(_LIKE)?=.*\b(debian|ubuntu)\b/m.test(osRelease),
    apt,
    isRoot: process.getuid?.() === 0,
    passwordlessSudo:
      sudoPath !== undefined &&
      spawnSync(sudoPath, ['-n', 'true'], { stdio: 'ignore', env }).status === 0,
  };
}

/** Checks, installs when allowed, and returns whether every requirement is now present. */
export function provision(env = process.env) {
  const missingNow = () =>
    REQUIREMENTS.filter((r) => findProgram(r.program, env.PATH) === undefined);
  const missing = missingNow();
  const plan = planProvision(missing, describeHost(env));
  if (plan.action === 'none') return true;
  if (plan.action === 'stop') {
    console.error(plan.message);
    return false;
  }
  console.log(plan.line);
  const [command, ...args] = plan.command;
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'inherit'], env });
  const still = missingNow();
  if (result.status !== 0 || still.length > 0) {
    console.error(
      `✘ apt-get could not install ${still.map((r) => r.program).join(' and ') || 'everything'} (exit ${result.status ?? result.signal}); nothing was run.`,
    );
    return false;
  }
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exit(provision() ? 0 : 1);
}
