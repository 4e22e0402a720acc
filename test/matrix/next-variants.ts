import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { RunResult } from '../next/helpers.js';

/** One Next version and bundler, built from the fixture in `test/matrix/next-app`. */
export interface NextVariant {
  name: string;
  /** The project under TRIBUTARY_MATRIX_DIR holding that Next version. */
  project: string;
  build: string[];
  env?: Record<string, string>;
}

export function matrixDir(): string {
  const dir = process.env.TRIBUTARY_MATRIX_DIR;
  if (dir === undefined)
    throw new Error(
      'TRIBUTARY_MATRIX_DIR is not set: run the matrix with `node scripts/test-matrix.mjs`',
    );
  return dir;
}

/** Runs the project's own `next` (not the workspace's) with telemetry off. */
export function runNextIn(cwd: string, args: string[], env: Record<string, string> = {}) {
  let output = '';
  const child = spawn(process.execPath, [join(cwd, 'node_modules/next/dist/bin/next'), ...args], {
    cwd,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const done = new Promise<RunResult>((resolve) =>
    child.on('exit', (code) => resolve({ code, output })),
  );
  return { child, done, output: () => output };
}
