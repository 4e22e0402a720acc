import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DB,
  DEFAULT_PORT,
  loadPublicKeyFiles,
  parseCliArgs,
  UsageError,
} from './cli-options.js';

describe('parseCliArgs', () => {
  it('defaults to port 4318, a database file and request logging', () => {
    expect(parseCliArgs([])).toEqual({
      kind: 'start',
      options: { quiet: false, port: DEFAULT_PORT, db: DEFAULT_DB, memory: false },
      publicKeyFiles: [],
      dbLabel: DEFAULT_DB,
    });
  });

  it('reads repeated write keys, memory storage and every fault flag', () => {
    const command = parseCliArgs([
      '--port',
      '0',
      '--memory',
      '--write-key',
      'a',
      '--write-key',
      'b',
      '--oauth-public-key',
      'k.pem',
      '--fail-rate',
      '0.2',
      '--fail-status',
      '500,503',
      '--fail-next',
      '503:2',
      '--rate-limit',
      '0.5',
      '--retry-after',
      '3',
      '--latency',
      '100',
      '--reset-rate',
      '0.1',
      '--hang-rate',
      '0.05',
      '--down',
      '500',
      '--fault-target',
      'all',
      '--seed',
      '7',
      '--quiet',
    ]);
    expect(command).toEqual({
      kind: 'start',
      options: {
        quiet: true,
        port: 0,
        memory: true,
        writeKeys: ['a', 'b'],
        faults: {
          failRate: 0.2,
          failStatuses: [500, 503],
          failNext: { status: 503, count: 2 },
          rateLimit: { rate: 0.5, retryAfter: 3 },
          latency: 100,
          resetRate: 0.1,
          hangRate: 0.05,
          down: 500,
          target: 'all',
          seed: 7,
        },
      },
      publicKeyFiles: ['k.pem'],
      dbLabel: 'in memory (--memory)',
    });
  });

  it('recognises --help and --version', () => {
    expect(parseCliArgs(['--help'])).toEqual({ kind: 'help' });
    expect(parseCliArgs(['-v'])).toEqual({ kind: 'version' });
  });

  it('throws a UsageError for unknown flags and bad values', () => {
    expect(() => parseCliArgs(['--prot', '1'])).toThrow(UsageError);
    expect(() => parseCliArgs(['--port', 'abc'])).toThrow('--port needs a number, got "abc".');
    expect(() => parseCliArgs(['--port', '70000'])).toThrow(
      '--port needs a whole number from 0 to 65535',
    );
    expect(() => parseCliArgs(['--fail-rate', '3'])).toThrow(
      'failRate must be a share between 0 and 1',
    );
  });
});

describe('loadPublicKeyFiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'collector-keys-'));

  it('reads PEM blocks and JWKS files', async () => {
    const pem = join(dir, 'key.pem');
    writeFileSync(pem, '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n');
    const jwks = join(dir, 'jwks.json');
    writeFileSync(jwks, JSON.stringify({ keys: [{ kty: 'RSA', kid: 'k' }] }));
    expect(await loadPublicKeyFiles([pem, jwks])).toEqual({
      publicKeys: ['-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----'],
      jwks: { keys: [{ kty: 'RSA', kid: 'k' }] },
    });
  });

  it('names the file that cannot be read', async () => {
    await expect(loadPublicKeyFiles([join(dir, 'missing.pem')])).rejects.toMatchObject({
      code: 'KEY_UNREADABLE',
      message: expect.stringContaining('missing.pem": no such file'),
    });
  });

  it('names a file that holds no public key', async () => {
    const file = join(dir, 'private.pem');
    writeFileSync(file, '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
    await expect(loadPublicKeyFiles([file])).rejects.toMatchObject({
      code: 'KEY_UNREADABLE',
      message: expect.stringContaining('holds no "-----BEGIN PUBLIC KEY-----" block'),
    });
  });
});
