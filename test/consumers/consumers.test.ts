import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsc = `${root}node_modules/typescript/bin/tsc`;

function compileAndRun(name: 'cjs' | 'esm'): Record<string, unknown> {
  const dir = fileURLToPath(new URL(`./${name}/`, import.meta.url));
  rmSync(`${dir}out`, { recursive: true, force: true });
  execFileSync(process.execPath, [tsc, '-p', `${dir}tsconfig.json`], { cwd: dir, stdio: 'pipe' });
  const output = execFileSync(process.execPath, [`${dir}out/main.js`], {
    cwd: dir,
    encoding: 'utf8',
  });
  return JSON.parse(output.trim().split('\n').pop()!) as Record<string, unknown>;
}

describe('consumers of the built packages', () => {
  it('compiles a CommonJS project (module node16) and loads core through require', () => {
    expect(compileAndRun('cjs')).toEqual({
      format: 'cjs',
      accepted: true,
      viaDefault: true,
      isError: false,
      recorded: 1,
    });
  });

  it('compiles an ESM project with exactOptionalPropertyTypes and loads core through import', () => {
    expect(compileAndRun('esm')).toEqual({
      format: 'esm',
      accepted: true,
      pending: 0,
      isError: false,
      recorded: 1,
    });
  });
});
