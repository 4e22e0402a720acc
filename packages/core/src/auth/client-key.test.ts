import { generateKeyPairSync } from 'node:crypto';
import { exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseClientKey } from './client-key.js';

let pkcs8: string;
let spki: string;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  pkcs8 = await exportPKCS8(pair.privateKey);
  spki = await exportSPKI(pair.publicKey);
});

function problemOf(key: unknown): string {
  const check = parseClientKey(key);
  if (check.ok) throw new Error('expected the key to be refused');
  return check.problem;
}

describe('parseClientKey', () => {
  it('accepts a 2048-bit RSA PKCS#8 PEM key and reports its size', () => {
    const check = parseClientKey(pkcs8);
    expect(check).toMatchObject({ ok: true, bits: 2048 });
  });

  it('accepts a key whose line breaks arrive as literal \\n sequences, as from an environment variable', () => {
    const check = parseClientKey(pkcs8.trim().replace(/\n/g, '\\n'));
    expect(check.ok).toBe(true);
    if (check.ok) expect(check.pem.replace(/\s/g, '')).toBe(pkcs8.replace(/\s/g, ''));
  });

  it('refuses a PKCS#1 key and says how to convert it', () => {
    const pkcs1 = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey;
    expect(problemOf(pkcs1)).toMatch(/PKCS#1.*openssl pkcs8 -topk8 -nocrypt/);
  });

  it('refuses a public key, telling the caller to pass the private one', () => {
    expect(problemOf(spki)).toMatch(/is a public key; pass the private key/);
  });

  it('refuses an EC key because RS256 needs RSA', () => {
    const ec = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey;
    expect(problemOf(ec)).toMatch(/is an EC key; RS256 needs an RSA key/);
  });

  it('refuses an RSA key shorter than 2048 bits', () => {
    const small = generateKeyPairSync('rsa', {
      modulusLength: 1024,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey;
    expect(problemOf(small)).toMatch(/is a 1024-bit RSA key; RS256 needs at least 2048 bits/);
  });

  it('refuses a key whose body was truncated, without quoting any of it', () => {
    const lines = pkcs8.trim().split('\n');
    const truncated = [...lines.slice(0, 6), lines.at(-1)].join('\n');
    const problem = problemOf(truncated);
    expect(problem).toMatch(/not a valid PKCS#8 private key|not valid base64/);
    for (const line of lines.slice(1, -1)) expect(problem).not.toContain(line.slice(0, 16));
  });

  it('refuses a body that is not base64', () => {
    expect(
      problemOf('-----BEGIN PRIVATE KEY-----\nnot*base64!\n-----END PRIVATE KEY-----'),
    ).toMatch(/not valid base64/);
  });

  it('refuses a PEM without its END line', () => {
    expect(problemOf(pkcs8.replace('-----END PRIVATE KEY-----', ''))).toMatch(
      /without its matching "-----END …-----" line/,
    );
  });

  it('recognizes a file path passed instead of the key contents', () => {
    expect(problemOf('./keys/private.pem')).toMatch(/looks like a file path/);
  });

  it('refuses an empty value and a non-string', () => {
    expect(problemOf('')).toMatch(/received an empty value/);
    expect(problemOf(42)).toMatch(/received an empty value/);
  });

  it('refuses text that is no PEM at all, without echoing it', () => {
    const problem = problemOf('secret-looking-text');
    expect(problem).toMatch(/is not a PEM key/);
    expect(problem).not.toContain('secret-looking-text');
  });
});
