// Every ```ts block of the root README, the package READMEs and docs/migrating.md is a test: it type-checks with
// `strict` and `exactOptionalPropertyTypes` against the built packages, and the blocks tagged
// `run` execute with Node against a live collector. How a block says it is an excerpt: see
// snippets.ts and the root README ("Working on Tributary").
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startCollector, type RunningCollector } from '@tributary/collector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractSnippets, readmeFiles, where, type Snippet } from './snippets.js';

const root = new URL('../..', import.meta.url).pathname;
const out = join(root, '.reports', 'readme-snippets');
const contextDir = join(root, 'test', 'readme', 'context');
const snippets = readmeFiles(root).flatMap((file) => extractSnippets(root, file));
const compiled = snippets.filter((s) => !s.outline);

const slug = (s: Snippet) =>
  s.name ?? `${s.file.replace(/\/?README\.md$/, '').replace(/\W+/g, '-') || 'root'}-L${s.line}`;
/** Lines the context adds before the block, to map tsc's lines back to the README. */
const preludeLines = new Map<Snippet, number>();
/** tsc's diagnostics per snippet, already mapped to README (or context file) lines. */
const diagnostics = new Map<Snippet, string[]>();
let tscOutput = '';

/**
 * Next apps compile with `moduleResolution: bundler` (create-next-app's tsconfig; `next/server`
 * has no `exports` map, so nodenext cannot resolve it); everything else as a Node ESM project.
 */
const project = (s: Snippet) => (s.file === 'packages/next/README.md' ? 'next' : 'node');
const moduleOptions = {
  node: { module: 'nodenext', moduleResolution: 'nodenext' },
  next: { module: 'esnext', moduleResolution: 'bundler' },
};

beforeAll(() => {
  rmSync(out, { recursive: true, force: true });
  for (const [name, modules] of Object.entries(moduleOptions)) {
    const dir = join(out, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
    const compilerOptions = {
      target: 'ES2022',
      ...modules,
      lib: ['ES2023', 'DOM', 'DOM.Iterable'],
      strict: true,
      exactOptionalPropertyTypes: true,
      // The NestJS README says to compile with these, as Nest apps do.
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      types: ['node'],
      typeRoots: [join(root, 'node_modules', '@types')],
      skipLibCheck: true,
      outDir: 'js',
      rootDir: '.',
    };
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions, include: ['*.ts'] }, null, 2),
    );
  }
  for (const s of compiled) {
    const context =
      s.context === undefined ? '' : readFileSync(join(contextDir, `${s.context}.ts`), 'utf8');
    preludeLines.set(s, context === '' ? 0 : context.split('\n').length);
    // `export {}` makes every block a module of its own, so their top-level names never collide.
    writeFileSync(
      join(out, project(s), `${slug(s)}.ts`),
      `${context}${context ? '\n' : ''}${s.code}\nexport {};\n`,
    );
  }
  const entries: string[] = [];
  for (const name of Object.keys(moduleOptions)) {
    const tsc = spawnSync(
      process.execPath,
      [
        join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
        '-p',
        join(out, name),
        '--pretty',
        'false',
      ],
      { cwd: join(out, name), encoding: 'utf8', timeout: 150_000 },
    );
    tscOutput += `${tsc.stdout}${tsc.stderr}`;
    // `file.ts(12,5): error TS2345: message`, continuation lines indented.
    entries.push(
      ...`${tsc.stdout}${tsc.stderr}`
        .split(/\n(?=\S)/)
        .filter((e) => e.trim() !== '')
        .map((e) => `${name}/${e}`),
    );
  }
  for (const s of compiled) {
    const mine = entries.filter((e) => e.startsWith(`${project(s)}/${slug(s)}.ts(`));
    diagnostics.set(
      s,
      mine.map((entry) => {
        const m = /^[^(]+\((\d+),(\d+)\): (.*)$/s.exec(entry)!;
        const line = Number(m[1]);
        const prelude = preludeLines.get(s)!;
        const at =
          line > prelude
            ? where(s, line - prelude)
            : `test/readme/context/${s.context}.ts:${line} (context of ${where(s)})`;
        return `${at}, column ${m[2]}: ${m[3]!.trim()}`;
      }),
    );
  }
}, 180_000);

describe('README snippets', () => {
  it('finds the ts blocks of every README', () => {
    expect(snippets.length).toBeGreaterThan(30);
    // tsc ran and said something only about the snippets (no config error, no crash).
    expect(tscOutput.split('\n').filter((l) => /^error|^tsconfig/.test(l))).toEqual([]);
  });

  describe.each(readmeFiles(root))('%s', (file) => {
    const blocks = snippets.filter((s) => s.file === file);
    it.each(blocks.map((s) => [where(s), s] as const))('%s', (_, s) => {
      expect(s.unknown, `${where(s)}: unknown word(s) in the info string`).toEqual([]);
      if (s.context !== undefined) {
        expect(
          existsSync(join(contextDir, `${s.context}.ts`)),
          `${where(s)}: no test/readme/context/${s.context}.ts`,
        ).toBe(true);
      }
      if (s.outline) {
        // An outline is not compiled: it must look like one, so the tag cannot hide a broken example.
        expect(s.code, `${where(s)} is tagged outline but has no "…" placeholder`).toContain('…');
        return;
      }
      const found = diagnostics.get(s) ?? [];
      expect(
        found,
        `${where(s)} does not compile (strict, exactOptionalPropertyTypes). If it is an excerpt, ` +
          'give it a context (```ts context=<name>, see test/readme/context/):\n' +
          found.join('\n'),
      ).toEqual([]);
    });
  });
});

describe('README snippets that are programs', () => {
  let collector: RunningCollector;
  beforeAll(async () => {
    collector = await startCollector({ port: 0, memory: true });
  });
  afterAll(() => collector.close());

  const runnable = snippets.filter((s) => s.run);
  it('include the testing snippets of core, Next and NestJS, and the collector quick start', () => {
    expect(runnable.map((s) => s.file).sort()).toEqual(
      expect.arrayContaining([
        'packages/collector/README.md',
        'packages/core/README.md',
        'packages/nestjs/README.md',
        'packages/next/README.md',
      ]),
    );
  });

  it.each(runnable.map((s) => [where(s), s] as const))('%s runs and exits 0', async (_, s) => {
    const script = join(out, project(s), 'js', `${slug(s)}.js`);
    const run = await promisify(execFile)(process.execPath, [script], {
      cwd: join(out, project(s)),
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        ...process.env,
        TRIBUTARY_COLLECTOR_URL: collector.url,
        TRIBUTARY_HOST: collector.url,
        SEGMENT_WRITE_KEY: 'readme-snippet',
      },
    }).then(
      (r) => ({ code: 0, ...r }),
      (error: { code?: number; stdout?: string; stderr?: string; message: string }) => ({
        code: error.code ?? 1,
        stdout: error.stdout ?? '',
        stderr: error.stderr ?? error.message,
      }),
    );
    expect(run.code, `${where(s)} failed when run:\n${run.stderr}\n${run.stdout}`).toBe(0);
  });
});
