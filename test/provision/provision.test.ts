import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types, imported to test its decision function.
import { planProvision, REQUIREMENTS } from '../../scripts/provision.mjs';

interface Requirement {
  program: string;
  apt: string;
  why: string;
}
type Plan =
  | { action: 'none' }
  | { action: 'install'; command: string[]; line: string }
  | { action: 'stop'; message: string };
const plan = planProvision as (missing: Requirement[], host: Record<string, boolean>) => Plan;
const all = REQUIREMENTS as Requirement[];

const script = fileURLToPath(new URL('../../scripts/provision.mjs', import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A PATH of one directory: `node`, and executables named `programs` that do nothing. */
function fakePrograms(...programs: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'provision-'));
  dirs.push(dir);
  symlinkSync(process.execPath, join(dir, 'node'));
  for (const program of programs) {
    writeFileSync(join(dir, program), '#!/bin/sh\nexit 0\n');
    chmodSync(join(dir, program), 0o755);
  }
  return dir;
}

function runProvision(path: string, env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [script], {
    encoding: 'utf8',
    env: { PATH: path, ...env },
    timeout: 20_000,
  });
}

const debianRoot = {
  noInstall: false,
  debianLike: true,
  apt: true,
  isRoot: true,
  passwordlessSudo: false,
};

describe('provisioning before the suites', () => {
  it('does nothing when every program is on PATH', () => {
    expect(plan([], debianRoot)).toEqual({ action: 'none' });
  });

  it('installs the missing programs with apt-get as root on Debian, saying what and why in one line', () => {
    const p = plan(all, debianRoot);
    expect(p.action).toBe('install');
    if (p.action !== 'install') return;
    expect(p.command.slice(0, 2)).toEqual(['sh', '-c']);
    expect(p.command[2]).toContain('apt-get install -y -qq chromium redis-server');
    expect(p.line.split('\n')).toHaveLength(1);
    expect(p.line).toMatch(/installing chromium \(.+\) and redis-server \(.+\) with apt-get/);
  });

  it('installs through sudo when the user has passwordless sudo', () => {
    const p = plan([all[1]!], { ...debianRoot, isRoot: false, passwordlessSudo: true });
    expect(p.action === 'install' && p.command[0]).toBe('sudo');
  });

  it('stops with the sudo command when it may not install on Debian', () => {
    const p = plan(all, { ...debianRoot, isRoot: false });
    expect(p).toEqual({ action: 'stop', message: expect.any(String) as string });
    if (p.action !== 'stop') return;
    expect(p.message).toContain('installing needs root or passwordless sudo');
    expect(p.message).toContain(
      'Install with: sudo apt-get update && sudo apt-get install -y chromium redis-server',
    );
  });

  it('stops naming the packages when the machine has no apt-get', () => {
    const p = plan(all, { ...debianRoot, debianLike: false, apt: false });
    expect(p.action === 'stop' && p.message).toContain(
      "Install chromium and redis-server with your system's package manager",
    );
  });

  it('stops before running anything, with one message naming every missing program, when installing is not allowed', () => {
    const run = runProvision(fakePrograms(), { TRIBUTARY_NO_INSTALL: '1' });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^✘ The tests need chromium and redis-server, missing from PATH; nothing was run \(TRIBUTARY_NO_INSTALL is set\)\./,
    );
    expect(run.stderr.match(/✘/g)).toHaveLength(1);
    expect(run.stderr).toContain('  - chromium: ');
    expect(run.stderr).toContain('  - redis-server: ');
    // The apt command on Debian/Ubuntu, the package names anywhere else.
    expect(run.stderr).toMatch(/\n {2}Install .*apt-get install -y chromium redis-server/);
  });

  it('names only the program that is missing', () => {
    const run = runProvision(fakePrograms('chromium'), {
      TRIBUTARY_NO_INSTALL: '1',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('The tests need redis-server, missing from PATH');
    expect(run.stderr).not.toContain('  - chromium');
  });

  it('passes silently when both programs are on PATH', () => {
    const run = runProvision(fakePrograms('chromium', 'redis-server'), {
      TRIBUTARY_NO_INSTALL: '1',
    });
    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({
      status: 0,
      stdout: '',
      stderr: '',
    });
  });
});
