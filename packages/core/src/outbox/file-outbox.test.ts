import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AnalyticsError } from '../errors.js';
import {
  decodeAcks,
  decodeSegment,
  encodeRecord,
  FileOutbox,
  SEGMENT_BYTES,
} from './file-outbox.js';
import type { RecoveredEntry } from './outbox.js';

const dirs: string[] = [];
const outboxes: FileOutbox[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(outboxes.splice(0).map((o) => o.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-outbox-'));
  dirs.push(dir);
  return dir;
}

function openOutbox(dir: string, fsync: 'never' | 'interval' | 'always' = 'never') {
  const errors: AnalyticsError[] = [];
  const warnings: string[] = [];
  const logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (m: string) => warnings.push(m),
    error: () => undefined,
  };
  const outbox = new FileOutbox(
    { type: 'file', dir, fsync },
    { logger, report: (error) => errors.push(error) },
  );
  outboxes.push(outbox);
  return { outbox, errors, warnings };
}

async function recover(outbox: FileOutbox): Promise<RecoveredEntry[]> {
  const entries: RecoveredEntry[] = [];
  await outbox.recover((found) => entries.push(...found));
  return entries;
}

/** Closes an outbox as a crash would leave it: everything written, nothing cleaned up, lock left behind. */
async function writtenThenAbandoned(outbox: FileOutbox, dir: string): Promise<void> {
  const lock = readFileSync(join(dir, 'outbox.lock'));
  await outbox.close();
  outboxes.splice(outboxes.indexOf(outbox), 1);
  writeFileSync(join(dir, 'outbox.lock'), lock);
}

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

describe('record encoding', () => {
  it('writes one line per event: a CRC-32 of the body, the index and the JSON', () => {
    const line = encodeRecord(7, '{"event":"Signed Up","note":"line\\nbreak"}');
    expect(line).toMatch(/^[0-9a-f]{8} 7 \{"event":"Signed Up","note":"line\\nbreak"\}\n$/);
    expect(line.indexOf('\n')).toBe(line.length - 1);
    const decoded = decodeSegment(Buffer.from(line + encodeRecord(8, '{"é":"ü"}')));
    expect([...decoded.records]).toEqual([
      [7, '{"event":"Signed Up","note":"line\\nbreak"}'],
      [8, '{"é":"ü"}'],
    ]);
    expect(decoded).toMatchObject({ corrupt: 0, tornBytes: 0 });
  });

  it('skips a torn tail, a write cut short by a crash, and says how many bytes it held', () => {
    const whole = encodeRecord(0, '{"a":1}');
    const torn = encodeRecord(1, '{"a":2}').slice(0, 9);
    const decoded = decodeSegment(Buffer.from(whole + torn));
    expect([...decoded.records.keys()]).toEqual([0]);
    expect(decoded.tornBytes).toBe(9);
  });

  it('skips a record whose checksum fails and keeps the records after it', () => {
    const good = encodeRecord(0, '{"a":1}');
    const flipped = encodeRecord(1, '{"a":2}').replace('"a":2', '"a":3');
    const decoded = decodeSegment(
      Buffer.from(good + flipped + 'garbage\n' + encodeRecord(2, '{"a":4}')),
    );
    expect([...decoded.records]).toEqual([
      [0, '{"a":1}'],
      [2, '{"a":4}'],
    ]);
    expect(decoded.corrupt).toBe(2);
  });

  it('reads acknowledgements, ignoring an unterminated last line', () => {
    expect(decodeAcks(Buffer.from('0\n2\n1'))).toEqual({
      acked: new Set([0, 2]),
      completeBytes: 4,
    });
  });
});

describe('FileOutbox', () => {
  it('writes appends in groups after the write interval, not during the call', async () => {
    const dir = tempDir();
    const { outbox } = openOutbox(dir);
    await recover(outbox);
    for (let i = 0; i < 100; i++) outbox.append(JSON.stringify({ i }));
    expect(readdirSync(dir)).toEqual(['outbox.lock']);
    await vi.waitFor(
      () => expect(decodeSegment(readFileSync(join(dir, 'segment-0.log'))).records.size).toBe(100),
      {
        timeout: 10_000,
      },
    );
  });

  it('replays only unacknowledged events to the next process, oldest first', async () => {
    const dir = tempDir();
    const first = openOutbox(dir).outbox;
    await recover(first);
    const refs = [0, 1, 2, 3].map((i) => first.append(JSON.stringify({ i })));
    first.ack([refs[1], refs[3]]);
    await writtenThenAbandoned(first, dir);

    const second = openOutbox(dir).outbox;
    const entries = await recover(second);
    expect(entries.map((e) => e.json)).toEqual(['{"i":0}', '{"i":2}']);
  });

  it('deletes a segment once it is rotated out and every event in it is acknowledged', async () => {
    const dir = tempDir();
    const first = openOutbox(dir).outbox;
    await recover(first);
    const ref = first.append('{"i":0}');
    await writtenThenAbandoned(first, dir);

    const second = openOutbox(dir).outbox;
    const entries = await recover(second);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.ref).not.toBe(ref);
    second.ack([entries[0]!.ref]);
    // The log and its ack file are unlinked one after the other: wait for both.
    await vi.waitFor(
      () => {
        expect(existsSync(join(dir, 'segment-0.log'))).toBe(false);
        expect(existsSync(join(dir, 'segment-0.ack'))).toBe(false);
      },
      { timeout: 10_000 },
    );
  });

  it('starts a new segment past SEGMENT_BYTES and deletes the old one once all of it is acknowledged', async () => {
    const dir = tempDir();
    const { outbox } = openOutbox(dir);
    await recover(outbox);
    const blob = 'x'.repeat(1000);
    const count = Math.ceil(SEGMENT_BYTES / 1000) + 10;
    const first = Array.from({ length: count }, (_, i) =>
      outbox.append(JSON.stringify({ i, blob })),
    );
    await vi.waitFor(() => expect(readdirSync(dir)).toContain('segment-0.log'), {
      timeout: 10_000,
    });
    const second = outbox.append('{"next":true}');
    await vi.waitFor(() => expect(readdirSync(dir)).toContain('segment-1.log'), {
      timeout: 10_000,
    });
    outbox.ack(first);
    await vi.waitFor(
      () => expect(readdirSync(dir).sort()).toEqual(['outbox.lock', 'segment-1.log']),
      { timeout: 10_000 },
    );
    outbox.ack([second]);
    await outbox.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('acknowledges an event settled before its record was written', async () => {
    const dir = tempDir();
    const { outbox } = openOutbox(dir);
    await recover(outbox);
    outbox.ack([outbox.append('{"fast":true}')]);
    await outbox.close();
    // Fully acknowledged at close: nothing is left for the next process.
    expect(readdirSync(dir)).toEqual([]);
  });

  it('recovers the records before a torn tail and after a corrupt record, with a report', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'segment-3.log'),
      encodeRecord(0, '{"i":0}') + 'ffffffff 1 {"i":1}\n' + encodeRecord(2, '{"i":2}'),
    );
    appendFileSync(join(dir, 'segment-3.log'), encodeRecord(3, '{"i":3}').slice(0, 6));
    writeFileSync(join(dir, 'segment-3.ack'), '2\n0'); // "0" is a torn ack: not acknowledged.
    const { outbox, errors, warnings } = openOutbox(dir);
    const entries = await recover(outbox);
    expect(entries.map((e) => e.json)).toEqual(['{"i":0}']);
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      [
        'OUTBOX_ERROR',
        expect.stringMatching(
          /1 corrupt record\(s\) in .*segment-3\.log failed their checksum and were skipped/,
        ),
      ],
    ]);
    expect(warnings.join('\n')).toMatch(
      /segment-3\.log ends with 6 byte\(s\) of an unfinished write/,
    );
    // The torn ack line is cut, so a new acknowledgement cannot merge with it.
    outbox.ack([entries[0]!.ref]);
    await vi.waitFor(() => expect(existsSync(join(dir, 'segment-3.log'))).toBe(false), {
      timeout: 10_000,
    });
  });

  it('refuses a directory locked by a live process, naming the directory and the pid', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'outbox.lock'), `${process.ppid}\n`);
    expect(() => openOutbox(dir)).toThrow(
      expect.objectContaining({
        code: 'INVALID_OPTIONS',
        message: expect.stringContaining(
          `"outbox.dir" ${dir} is locked by process ${process.ppid}`,
        ) as string,
      }) as Error,
    );
  });

  it('refuses a second client of this process on the same directory', () => {
    const dir = tempDir();
    openOutbox(dir);
    expect(() => openOutbox(dir)).toThrow(/locked by another client of this process/);
  });

  it('takes over the lock of a process that is gone, with a warning', async () => {
    const dir = tempDir();
    const pid = deadPid();
    writeFileSync(join(dir, 'outbox.lock'), `${pid}\n`);
    const { outbox, warnings } = openOutbox(dir);
    expect(warnings).toEqual([expect.stringContaining(`taking over the lock of process ${pid}`)]);
    expect(readFileSync(join(dir, 'outbox.lock'), 'utf8')).toBe(`${process.pid}\n`);
    await outbox.close();
    expect(existsSync(join(dir, 'outbox.lock'))).toBe(false);
  });

  it('reports a failed write as OUTBOX_ERROR and then keeps nothing, without throwing', async () => {
    const dir = tempDir();
    const probe = await open(join(dir, 'probe'), 'w');
    const prototype = Object.getPrototypeOf(probe) as {
      write: (...args: unknown[]) => Promise<unknown>;
    };
    await probe.close();
    vi.spyOn(prototype, 'write').mockRejectedValue(
      Object.assign(new Error('no space left on device, write'), { code: 'ENOSPC' }),
    );
    const { outbox, errors, warnings } = openOutbox(dir, 'always');
    await recover(outbox);
    expect(outbox.append('{"i":0}')).toBeDefined();
    await vi.waitFor(() => expect(errors).toHaveLength(1), { timeout: 10_000 });
    expect(errors[0]!.code).toBe('OUTBOX_ERROR');
    expect(errors[0]!.message).toMatch(
      /could not write to .*ENOSPC no space left on device.*continuing in memory only/,
    );
    expect(warnings.join('\n')).toMatch(/falling back to memory only/);
    expect(outbox.append('{"i":1}')).toBeUndefined();
  });

  it('reports a directory it cannot create when recovery starts, and runs in memory', async () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, '');
    const { outbox, errors } = openOutbox(join(file, 'outbox'));
    await recover(outbox);
    expect(errors[0]!.message).toMatch(/outbox: could not open .*a-file\/outbox \(ENOTDIR/);
    expect(outbox.append('{}')).toBeUndefined();
  });

  it('fsyncs on every group write with fsync: always, and survives a rotation-free close', async () => {
    const dir = tempDir();
    const { outbox, errors } = openOutbox(dir, 'always');
    await recover(outbox);
    outbox.append('{"i":0}');
    await outbox.close();
    expect(errors).toEqual([]);
    expect(decodeSegment(readFileSync(join(dir, 'segment-0.log'))).records.size).toBe(1);
  });
});
