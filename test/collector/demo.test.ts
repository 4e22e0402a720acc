import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const DEMO = `${root}apps/demo/dist/demo.mjs`;
const env = { ...process.env, CI: '1', FORCE_COLOR: '0' };

/** Runs the demo like `npm run demo` does after its build, bounded by `timeout`. */
function runDemo(
  args: string[],
  onStdout?: (text: string, kill: (signal: NodeJS.Signals) => void) => void,
  timeout = 30_000,
) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [DEMO, ...args], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      onStdout?.(stdout, (signal) => child.kill(signal));
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the demo did not exit within ${timeout} ms:\n${stdout}\n${stderr}`));
    }, timeout);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(() => {
  if (existsSync(DEMO)) return;
  // `npm run demo` builds through turbo; here only the demo's own build may be missing.
  const build = spawnSync('npx', ['tsdown'], { cwd: `${root}apps/demo`, env, encoding: 'utf8' });
  if (build.status !== 0)
    throw new Error(`building the demo failed:\n${build.stdout}\n${build.stderr}`);
});

describe('npm run demo', () => {
  it('drives the journeys through the core client, prints the collector summary per type and exits 0', async () => {
    const { code, stdout, stderr } = await runDemo([]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    for (const journey of [
      'anonymous browsing',
      'sign-up',
      'team',
      'purchases',
      'mobile app',
      'Express shop',
    ]) {
      expect(stdout).toContain(`▸ ${journey}:`);
    }
    const sent =
      /(\d+) events sent by the demo's own client, (\d+) by the example apps; (\d+) received by the collector/.exec(
        stdout,
      );
    expect(Number(sent?.[2])).toBeGreaterThan(0);
    expect(Number(sent?.[1]) + Number(sent?.[2])).toBe(Number(sent?.[3]));
    const count = (type: string) =>
      Number(new RegExp(`^\\s+${type}\\s+(\\d+)$`, 'm').exec(stdout)?.[1]);
    for (const type of ['identify', 'track', 'page', 'screen', 'group', 'alias']) {
      expect(count(type), type).toBeGreaterThan(0);
    }
    expect(count('total')).toBe(Number(sent?.[3]));
    expect(stdout).toMatch(/Debugger: http:\/\/127\.0\.0\.1:\d+\//);
  });

  it('keeps the collector and its debugger running with --open until interrupted', async () => {
    let checked: Promise<void> | undefined;
    const result = await runDemo(['--open'], (text, kill) => {
      if (checked !== undefined || !text.includes('Press Ctrl+C to stop')) return;
      const url = /Debugger: (http:\/\/\S+)\//.exec(text)![1]!;
      checked = (async () => {
        const page = await fetch(`${url}/`);
        expect(page.status).toBe(200);
        expect(await page.text()).toContain('Tributary');
        const stats = (await (await fetch(`${url}/api/stats`)).json()) as { total: number };
        expect(stats.total).toBeGreaterThan(0);
      })().finally(() => kill('SIGINT'));
    });
    expect(checked).toBeDefined();
    await checked;
    expect(result.code).toBe(0);
  });
});
