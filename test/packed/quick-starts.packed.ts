import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../next/helpers.js';

// Every package as a user gets it: `npm pack`ed, installed from the tarballs into a project outside
// the workspace (registry dependencies only), each README's quick start run there against the
// collector started from its own tarball's CLI. Workspace symlinks hide missing `files`, exports
// and dependencies; this does not.
const project = process.env.TRIBUTARY_PACKED_DIR;
if (project === undefined)
  throw new Error('TRIBUTARY_PACKED_DIR is not set: run `node scripts/test-packed.mjs`');
const packs = join(project, '..', 'packs');

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `node args` in the project and waits (bounded) for the URL it prints. */
async function startPrinting(
  args: string[],
  pattern: RegExp,
  env: Record<string, string> = {},
): Promise<Started> {
  let output = '';
  const child = spawn(process.execPath, args, {
    cwd: project,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await until(
    () => pattern.test(output) || child.exitCode !== null,
    20_000,
    `${args.join(' ')} to print ${pattern}`,
  );
  const url = pattern.exec(output)?.[1];
  if (url === undefined) throw new Error(`${args.join(' ')} exited:\n${output}`);
  return { child, url, output: () => output, exited };
}

function runNode(
  file: string,
  env: Record<string, string> = {},
): { code: number | null; output: string } {
  const result = spawnSync(process.execPath, [file], {
    cwd: project,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

let collector: Started;

async function events(query: Record<string, string>): Promise<Record<string, any>[]> {
  const response = await fetch(`${collector.url}/api/events?${new URLSearchParams(query)}`);
  return ((await response.json()) as { events: Record<string, any>[] }).events;
}

async function waitForEvents(query: Record<string, string>, count: number) {
  let found: Record<string, any>[] = [];
  await until(
    async () => (found = await events(query)).length >= count,
    10_000,
    `${count} events matching ${JSON.stringify(query)}`,
  );
  return found;
}

beforeAll(async () => {
  collector = await startPrinting(
    ['node_modules/.bin/tributary-collector', '--memory', '--port', '0', '--host', '127.0.0.1'],
    /(http:\/\/127\.0\.0\.1:\d+)/,
  );
});

afterAll(async () => {
  if (collector === undefined) return;
  collector.child.kill('SIGTERM');
  await collector.exited;
});

describe('the packed tarballs', () => {
  it('each hold LICENSE, README.md, package.json and dist, and nothing from src or tests', () => {
    const tarballs = readdirSync(packs).filter((file) => file.endsWith('.tgz'));
    expect(tarballs).toHaveLength(5);
    for (const tarball of tarballs) {
      const files = spawnSync('tar', ['-tzf', join(packs, tarball)], { encoding: 'utf8' })
        .stdout.split('\n')
        .filter(Boolean);
      expect(files, tarball).toEqual(
        expect.arrayContaining(['package/LICENSE', 'package/README.md', 'package/package.json']),
      );
      expect(
        files.some((file) => file.startsWith('package/dist/')),
        tarball,
      ).toBe(true);
      expect(
        files.filter((file) => /(^package\/src\/|\.test\.|\.test-d\.)/.test(file)),
        tarball,
      ).toEqual([]);
    }
  });

  it('install as real directories, not workspace symlinks', () => {
    for (const name of ['core', 'express', 'nestjs', 'next', 'collector']) {
      expect(lstatSync(join(project, 'node_modules/@tributary', name)).isSymbolicLink()).toBe(
        false,
      );
    }
  });
});

describe('README quick starts, from the tarballs', () => {
  it('core: the six calls arrive and close() delivers them before the script ends', async () => {
    const run = runNode('core.mjs', {
      SEGMENT_WRITE_KEY: 'packed-key',
      TRIBUTARY_HOST: collector.url,
    });
    expect(run).toEqual({ code: 0, output: '' });
    const types = (await waitForEvents({ userId: 'user_id' }, 3)).map((e) => e.type).sort();
    expect(types).toEqual(['group', 'page', 'screen']);
    const [signedUp] = await waitForEvents({ userId: 'f4ca124298', event: 'Signed Up' }, 1);
    expect(signedUp?.message.properties).toEqual({ plan: 'Enterprise' });
    expect(await waitForEvents({ type: 'identify', userId: '019mr8mf4r' }, 1)).toHaveLength(1);
    expect(await waitForEvents({ type: 'alias', userId: '1234' }, 1)).toHaveLength(1);
  });

  it('collector: the "In tests" snippet runs against an in-process collector', () => {
    expect(runNode('collector.mjs')).toEqual({ code: 0, output: 'collector quick start ok\n' });
  });

  it('express: Product Viewed and Request Completed for the cookie visitor, then a clean SIGTERM', async () => {
    const app = await startPrinting(['express.mjs'], /listening on (http:\/\/127\.0\.0\.1:\d+)/, {
      PORT: '0',
      SEGMENT_HOST: collector.url,
    });
    const response = await fetch(`${app.url}/products/42`, {
      headers: { cookie: 'ajs_anonymous_id=%22visitor-express%22' },
    });
    expect(await response.json()).toEqual({ id: '42' });
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    const sent = await waitForEvents({ anonymousId: 'visitor-express' }, 2);
    expect(sent.map((e) => e.event).sort()).toEqual(['Product Viewed', 'Request Completed']);
    expect(sent.find((e) => e.event === 'Product Viewed')?.message.context).toMatchObject({
      ip: '127.0.0.1',
      page: { path: '/products/42' },
    });
  });

  it('nestjs: @Track sends Product Viewed with the route param and the cookie id', async () => {
    const app = await startPrinting(['out/nestjs.js'], /listening on (http:\/\/[^\s]+)/, {
      PORT: '0',
      SEGMENT_WRITE_KEY: 'packed-key',
      TRIBUTARY_HOST: collector.url,
    });
    const response = await fetch(`${app.url.replace('[::1]', '127.0.0.1')}/products/42`, {
      headers: { cookie: 'ajs_anonymous_id=visitor-nest' },
    });
    expect(await response.json()).toEqual({ id: '42' });
    app.child.kill('SIGTERM');
    await app.exited;
    const [viewed] = await waitForEvents(
      { anonymousId: 'visitor-nest', event: 'Product Viewed' },
      1,
    );
    expect(viewed?.message.properties).toEqual({ productId: '42' });
  });

  it('next: both entries load through import and require beside Next', () => {
    expect(runNode('next.mjs')).toEqual({ code: 0, output: 'next entries ok\n' });
  });
});
