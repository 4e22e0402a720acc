// The benchmark harness in its CI smoke mode (tiny N, one repetition): proves every scenario still
// runs against every SDK, so the harness cannot rot. Benchmarks are not tests: no timing is asserted.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const harness = `${root}apps/bench/dist/bench.mjs`;
const smokeJson = `${root}apps/bench/results/smoke.json`;
const latestJson = `${root}apps/bench/results/latest.json`;
const nextBuild = `${root}apps/bench/next-app/.next/BUILD_ID`;

interface SmokeResults {
  meta: { smoke: boolean; scenarios: string[] };
  summary: Record<string, Record<string, Record<string, unknown>>>;
  runs: { scenario: string; sdk: string; ok: boolean; error?: string }[];
}

function run(args: string[], timeout: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [harness, ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the smoke run took longer than ${timeout} ms:\n${output.slice(-3000)}`));
    }, timeout);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('apps/bench smoke run', () => {
  it('runs every scenario against every SDK and every framework, exits 0 and writes results/smoke.json, not latest.json', async () => {
    if (!existsSync(harness))
      throw new Error(
        `${harness} is missing: build first (npx turbo run build --filter=@tributary/bench...)`,
      );
    if (!existsSync(nextBuild))
      throw new Error(
        `${nextBuild} is missing: build first (npx turbo run build --filter=@tributary/bench...)`,
      );
    rmSync(smokeJson, { force: true });
    const latestBefore = existsSync(latestJson) ? statSync(latestJson).mtimeMs : undefined;

    const { code, output } = await run(['--smoke'], 170_000);

    expect(code, output.slice(-3000)).toBe(0);
    expect(existsSync(smokeJson)).toBe(true);
    expect(existsSync(latestJson) ? statSync(latestJson).mtimeMs : undefined).toBe(latestBefore);
    const results = JSON.parse(readFileSync(smokeJson, 'utf8')) as SmokeResults;
    expect(results.meta.smoke).toBe(true);
    expect(results.runs.filter((r) => !r.ok)).toEqual([]);
    const sdksIn = (scenario: string) =>
      new Set(
        Object.values(results.summary[scenario] ?? {}).flatMap((bySdk) => Object.keys(bySdk)),
      );
    for (const scenario of ['call-cost', 'paced', 'delivered', 'dead']) {
      expect([...sdksIn(scenario)].sort(), scenario).toEqual(['posthog', 'segment', 'tributary']);
    }
    expect([...sdksIn('express')].sort()).toEqual([
      'baseline',
      'baseline-als',
      'ideal-client',
      'posthog',
      'segment',
      'tributary',
      'tributary-core',
    ]);
    expect([...sdksIn('wire')]).toEqual(['wire']);
    const frameworks = results.summary.frameworks ?? {};
    expect(Object.keys(frameworks).sort()).toEqual([
      'express4',
      'nest-express',
      'nest-fastify',
      'next',
    ]);
    expect(Object.keys(frameworks.express4 ?? {}).sort()).toEqual(['baseline', 'tributary']);
    expect(Object.keys(frameworks['nest-express'] ?? {}).sort()).toEqual([
      'baseline',
      'tributary-service',
      'tributary-track',
    ]);
    // The storage-only reference row runs in one app of each kind: Express 5 above, and Nest here.
    expect(Object.keys(frameworks['nest-fastify'] ?? {}).sort()).toEqual([
      'baseline',
      'baseline-als',
      'tributary-service',
      'tributary-track',
    ]);
    expect(Object.keys(frameworks.next ?? {}).sort()).toEqual(['baseline', 'tributary']);
    // Its handler answers 500 to a request that ran outside the storage: none did.
    for (const alsOnly of [
      results.summary.express?.defaults?.['baseline-als'],
      frameworks['nest-fastify']?.['baseline-als'],
    ])
      expect((alsOnly as { errors?: { max: number } } | undefined)?.errors?.max).toBe(0);
    expect(Object.keys(results.summary.wire ?? {}).sort()).toEqual(['preserialized', 'stringify']);
  }, 180_000);

  it('compares two saved runs figure by figure without measuring or writing anything', async () => {
    const baseline = `${root}apps/bench/results/baseline.json`;
    const before = statSync(baseline).mtimeMs;
    const latestBefore = existsSync(latestJson) ? statSync(latestJson).mtimeMs : undefined;

    const { code, output } = await run(
      ['--compare', 'results/baseline.json', '--report', 'apps/bench/results/baseline.json'],
      30_000,
    );

    expect(code, output.slice(-3000)).toBe(0);
    expect(output).toContain('Compared with apps/bench/results/baseline.json');
    expect(output).toMatch(/tributary\s+ofBaseline\s+0\.\d+ →\s+0\.\d+\s+\+0\.0%/);
    expect(output).toContain("No ratio got worse by more than this run's spread");
    expect(statSync(baseline).mtimeMs).toBe(before);
    expect(existsSync(latestJson) ? statSync(latestJson).mtimeMs : undefined).toBe(latestBefore);
  }, 40_000);
});
