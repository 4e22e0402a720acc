import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportSPKI, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector } from '../src/index.js';

const CLI = fileURLToPath(new URL('../dist/cli.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'collector-cli-'));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion (bounded by `timeout`). */
function run(args: string[], timeout = 10_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI did not exit within ${timeout} ms:\n${stdout}\n${stderr}`));
    }, timeout);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(() => {
  if (!existsSync(CLI))
    throw new Error(`${CLI} is missing: run \`npx tsdown\` in packages/collector first.`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tributary-collector', () => {
  it('prints usage with every option for --help and exits 0', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: tributary-collector [options]');
    for (const flag of [
      '--port',
      '--db',
      '--memory',
      '--write-key',
      '--oauth-public-key',
      '--fail-rate',
      '--latency',
    ]) {
      expect(stdout).toContain(flag);
    }
  });

  it('explains a busy port and exits 1', async () => {
    const busy = await startCollector({ port: 0 });
    try {
      const { code, stderr } = await run(['--port', String(busy.port), '--memory']);
      expect(code).toBe(1);
      expect(stderr).toContain(
        `tributary-collector: Port ${busy.port} on 127.0.0.1 is already in use.`,
      );
    } finally {
      await busy.close();
    }
  });

  it('names an unreadable OAuth key file and exits 1', async () => {
    const { code, stderr } = await run([
      '--port',
      '0',
      '--memory',
      '--oauth-public-key',
      'nowhere.pem',
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain('Cannot read the OAuth public key file "nowhere.pem": no such file.');
  });

  it('answers an unknown option with the usage hint and exits 2', async () => {
    const { code, stderr } = await run(['--prot', '1']);
    expect(code).toBe(2);
    expect(stderr).toContain('Run tributary-collector --help');
  });

  it('serves with the given key and faults, stores to --db, and stops cleanly on SIGTERM', async () => {
    const keyFile = join(dir, 'public.pem');
    writeFileSync(
      keyFile,
      await exportSPKI((await generateKeyPair('RS256', { extractable: true })).publicKey),
    );
    const db = join(dir, 'data', 'events.db');
    const child = spawn(
      process.execPath,
      [
        CLI,
        '--port',
        '0',
        '--db',
        db,
        '--write-key',
        'cli-key',
        '--oauth-public-key',
        keyFile,
        '--fail-next',
        '503:1',
        '--quiet',
      ],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`no listening line in: ${out}`)), 10_000);
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /listening on (http:\/\/\S+)/.exec(out);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        });
      });
      const send = () =>
        fetch(`${url}/v1/track`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Basic ${Buffer.from('cli-key:').toString('base64')}`,
          },
          body: JSON.stringify({ userId: 'u', event: 'From CLI' }),
        });
      expect((await send()).status).toBe(503);
      expect((await send()).status).toBe(200);
      const events = (await (await fetch(`${url}/api/events`)).json()) as { total: number };
      expect(events.total).toBe(1);
      expect(existsSync(db)).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
