import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsc = `${root}node_modules/typescript/bin/tsc`;

function compileAndRun(
  name: 'cjs' | 'esm',
  config = 'tsconfig.json',
  entry = 'out/main.js',
): Record<string, unknown> {
  const dir = fileURLToPath(new URL(`./${name}/`, import.meta.url));
  rmSync(`${dir}${entry.split('/')[0]}`, { recursive: true, force: true });
  try {
    execFileSync(process.execPath, [tsc, '-p', `${dir}${config}`], { cwd: dir, encoding: 'utf8' });
  } catch (error) {
    throw new Error(`tsc -p ${name}/${config} failed:\n${(error as { stdout?: string }).stdout}`);
  }
  const output = execFileSync(process.execPath, [`${dir}${entry}`], { cwd: dir, encoding: 'utf8' });
  return JSON.parse(output.trim().split('\n').pop()!) as Record<string, unknown>;
}

describe('consumers of the built packages (core, express, collector, nestjs, next)', () => {
  it('compiles a CommonJS project (module node16) and loads core through require', () => {
    expect(compileAndRun('cjs')).toEqual({
      format: 'cjs',
      accepted: true,
      viaDefault: true,
      isError: false,
      recorded: 1,
    });
  });

  it('compiles an ESM project against the NestJS and Next.js adapters and loads them', () => {
    expect(
      compileAndRun('esm', 'tsconfig.frameworks.json', 'out-frameworks/frameworks.js'),
    ).toEqual({
      format: 'esm-frameworks',
      module: 'object',
      service: 'function',
      decorator: 'function',
      handler: 'function',
      middleware: 'function',
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
