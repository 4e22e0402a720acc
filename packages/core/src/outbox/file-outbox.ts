import { mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { open, readdir, readFile, truncate, unlink, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import { AnalyticsError } from '../errors.js';
import {
  describeError,
  OUTBOX_WRITE_INTERVAL,
  unrefTimer,
  type FileOutboxOptions,
  type Outbox,
  type OutboxDeps,
  type OutboxRef,
  type RecoveredEntry,
} from './outbox.js';

/** A segment is sealed, and a new one started, once it holds this many bytes. */
export const SEGMENT_BYTES = 4 * 1024 * 1024;
/** Buffered characters that trigger a write before the interval is up. */
const EAGER_WRITE_CHARS = 1 << 20;
const FSYNC_INTERVAL = 1000;
/** References of this process's events start here; recovered ones count up from 0. */
const NEW_SEQ_BASE = 2 ** 40;
const SEGMENT_NAME = /^segment-(\d+)\.log$/;
const LOCK_NAME = 'outbox.lock';

/** Directories locked by outboxes of this process, so a second client on one directory is refused. */
const lockedHere = new Set<string>();

/**
 * One record of a segment, one line: `<crc32 of body, 8 hex digits> <body>\n` with body
 * `<index in segment> <json>`. `JSON.stringify` never emits a raw newline, so lines cannot break.
 */
export function encodeRecord(index: number, json: string): string {
  const body = `${index} ${json}`;
  return `${crc32(body).toString(16).padStart(8, '0')} ${body}\n`;
}

/** What a segment file holds: its valid records by index, and what was skipped. */
export interface DecodedSegment {
  records: Map<number, string>;
  /** Complete lines whose checksum or shape is wrong. */
  corrupt: number;
  /** Bytes after the last newline: a write cut short by a crash. */
  tornBytes: number;
}

export function decodeSegment(data: Buffer): DecodedSegment {
  const records = new Map<number, string>();
  let corrupt = 0;
  let start = 0;
  for (;;) {
    const end = data.indexOf(0x0a, start);
    if (end === -1) break;
    const line = data.subarray(start, end);
    start = end + 1;
    const decoded = decodeLine(line);
    if (decoded === undefined) corrupt++;
    else records.set(decoded.index, decoded.json);
  }
  return { records, corrupt, tornBytes: data.length - start };
}

function decodeLine(line: Buffer): { index: number; json: string } | undefined {
  if (line.length < 12 || line[8] !== 0x20) return undefined;
  const expected = Number.parseInt(line.subarray(0, 8).toString('latin1'), 16);
  const body = line.subarray(9);
  if (!Number.isInteger(expected) || crc32(body) !== expected) return undefined;
  const space = body.indexOf(0x20);
  if (space <= 0) return undefined;
  const index = Number(body.subarray(0, space).toString('latin1'));
  if (!Number.isSafeInteger(index) || index < 0) return undefined;
  return { index, json: body.subarray(space + 1).toString('utf8') };
}

/** Acknowledged record indices of a segment; an unterminated last line (torn write) is ignored. */
export function decodeAcks(data: Buffer): { acked: Set<number>; completeBytes: number } {
  const text = data.toString('latin1');
  const completeBytes = text.lastIndexOf('\n') + 1;
  const acked = new Set<number>();
  for (const line of text.slice(0, completeBytes).split('\n')) {
    if (/^\d+$/.test(line)) acked.add(Number(line));
  }
  return { acked, completeBytes };
}

interface Segment {
  n: number;
  firstSeq: number;
  /** Records written to it that are not acknowledged yet. */
  live: number;
  bytes: number;
  /** No more records will be written to it: deleted once `live` reaches 0. */
  sealed: boolean;
  log: FileHandle | undefined;
  acks: FileHandle | undefined;
  dirty: boolean;
}

/**
 * The file outbox: an append-only log of segment files (`segment-<n>.log`), each with an ack
 * file (`segment-<n>.ack`) listing the records settled. Appends and acks are buffered and
 * written in groups every {@link OUTBOX_WRITE_INTERVAL} ms. That timer is not unref'd: a process
 * ending naturally waits the few milliseconds it takes to write what it buffered.
 */
export class FileOutbox implements Outbox {
  readonly #dir: string;
  readonly #fsync: 'never' | 'interval' | 'always';
  readonly #deps: OutboxDeps;
  readonly #lockPath: string;
  /** Segments below this number were left by earlier processes. */
  readonly #firstNew: number;
  #locked = false;
  #failed: unknown;
  #closed = false;
  #nextN: number;
  #segments: Segment[] = [];
  #current: Segment | undefined;
  #pending: string[] = [];
  #pendingChars = 0;
  #pendingFirstSeq = NEW_SEQ_BASE;
  #nextSeq = NEW_SEQ_BASE;
  #acks: number[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #eager = false;
  #syncTimer: ReturnType<typeof setTimeout> | undefined;
  #syncing: Promise<void> | undefined;
  #writing: Promise<void> | undefined;

  /** Locks the directory; throws `INVALID_OPTIONS` when a live process holds it. */
  constructor(options: Required<FileOutboxOptions>, deps: OutboxDeps) {
    this.#dir = resolve(options.dir);
    this.#fsync = options.fsync;
    this.#deps = deps;
    this.#lockPath = join(this.#dir, LOCK_NAME);
    let highest = -1;
    try {
      mkdirSync(this.#dir, { recursive: true });
      this.#lock();
      for (const name of readdirSync(this.#dir)) {
        const match = SEGMENT_NAME.exec(name);
        if (match) highest = Math.max(highest, Number(match[1]));
      }
    } catch (error) {
      if (error instanceof AnalyticsError) throw error;
      // Reported by recover(), once the client exists to receive it; the client runs in memory.
      this.#failed = error;
    }
    this.#firstNew = highest + 1;
    this.#nextN = this.#firstNew;
  }

  async recover(adopt: (entries: RecoveredEntry[]) => void): Promise<void> {
    if (this.#failed !== undefined) {
      this.#fail(this.#failed, 'could not open');
      return;
    }
    try {
      const numbers = (await readdir(this.#dir))
        .map((name) => SEGMENT_NAME.exec(name))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => Number(m[1]))
        .filter((n) => n < this.#firstNew)
        .sort((a, b) => a - b);
      const recovered: Segment[] = [];
      const entries: RecoveredEntry[] = [];
      let seq = 0;
      for (const n of numbers) {
        const found = await this.#recoverSegment(n, seq, entries);
        if (found !== undefined) {
          recovered.push(found.segment);
          seq += found.span;
        }
      }
      if (this.#closed) return;
      this.#segments = [...recovered, ...this.#segments];
      if (entries.length > 0) {
        this.#deps.logger.info(
          `outbox: recovered ${entries.length} undelivered event(s) from ${this.#dir}`,
        );
        adopt(entries);
      }
    } catch (error) {
      this.#fail(error, 'could not read');
    }
  }

  async #recoverSegment(
    n: number,
    firstSeq: number,
    entries: RecoveredEntry[],
  ): Promise<{ segment: Segment; span: number } | undefined> {
    const logPath = this.#path(n, 'log');
    const ackPath = this.#path(n, 'ack');
    const decoded = decodeSegment(await readFile(logPath));
    let acked = new Set<number>();
    try {
      const acks = decodeAcks(await readFile(ackPath));
      acked = acks.acked;
      // New acks are appended: cut a torn last line first, or it would merge with the next one.
      await truncate(ackPath, acks.completeBytes);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
    }
    const name = `segment-${n}.log`;
    if (decoded.tornBytes > 0) {
      this.#deps.logger.warn(
        `outbox: ${name} ends with ${decoded.tornBytes} byte(s) of an unfinished write (a crash mid-write); skipped`,
      );
    }
    if (decoded.corrupt > 0) {
      this.#deps.report(
        new AnalyticsError(
          'OUTBOX_ERROR',
          `outbox: ${decoded.corrupt} corrupt record(s) in ${join(this.#dir, name)} failed their checksum and were skipped`,
        ),
      );
    }
    let span = 0;
    let live = 0;
    for (const [index, json] of decoded.records) {
      span = Math.max(span, index + 1);
      if (acked.has(index)) continue;
      live++;
      entries.push({ json, ref: firstSeq + index });
    }
    if (live === 0) {
      await removeQuietly(logPath, ackPath);
      return undefined;
    }
    const segment: Segment = {
      n,
      firstSeq,
      live,
      bytes: 0,
      sealed: true,
      log: undefined,
      acks: undefined,
      dirty: false,
    };
    return { segment, span };
  }

  append(json: string): OutboxRef {
    if (this.#failed !== undefined || this.#closed) return undefined;
    this.#pending.push(json);
    this.#pendingChars += json.length;
    if (this.#timer === undefined) {
      this.#timer = setTimeout(this.#onTimer, OUTBOX_WRITE_INTERVAL);
    } else if (this.#pendingChars > EAGER_WRITE_CHARS && !this.#eager) {
      this.#eager = true;
      setImmediate(this.#onTimer);
    }
    return this.#nextSeq++;
  }

  ack(refs: OutboxRef[]): void {
    if (this.#failed !== undefined) return;
    for (const ref of refs) if (typeof ref === 'number') this.#acks.push(ref);
    if (this.#acks.length > 0 && this.#timer === undefined && !this.#closed) {
      this.#timer = setTimeout(this.#onTimer, OUTBOX_WRITE_INTERVAL);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#syncTimer);
    this.#timer = undefined;
    await this.#write();
    await this.#syncing;
    if (this.#failed === undefined) {
      try {
        if (this.#fsync !== 'never') await this.#sync();
        for (const segment of this.#segments) await closeHandles(segment);
        const current = this.#current;
        if (current !== undefined && current.live === 0) await this.#remove(current);
      } catch (error) {
        this.#fail(error, 'could not close');
      }
    }
    for (const segment of this.#segments) await closeHandles(segment);
    this.#unlock();
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#eager = false;
    void this.#write();
  };

  /** Runs one group write at a time; appends made meanwhile are written by the next round. */
  #write(): Promise<void> {
    this.#writing ??= this.#writeRounds().finally(() => (this.#writing = undefined));
    return this.#writing;
  }

  async #writeRounds(): Promise<void> {
    try {
      while (this.#failed === undefined && (this.#pending.length > 0 || this.#acks.length > 0)) {
        if (this.#pending.length > 0) await this.#writeRecords();
        if (this.#acks.length > 0) await this.#writeAcks();
        if (this.#fsync === 'always') await this.#sync();
      }
    } catch (error) {
      this.#fail(error, 'could not write to');
    }
  }

  async #writeRecords(): Promise<void> {
    const records = this.#pending;
    const firstSeq = this.#pendingFirstSeq;
    this.#pending = [];
    this.#pendingChars = 0;
    this.#pendingFirstSeq += records.length;
    let segment = this.#current;
    if (segment === undefined || segment.bytes >= SEGMENT_BYTES) {
      if (segment !== undefined) await this.#seal(segment);
      const n = this.#nextN++;
      segment = {
        n,
        firstSeq,
        live: 0,
        bytes: 0,
        sealed: false,
        log: undefined,
        acks: undefined,
        dirty: false,
      };
      segment.log = await open(this.#path(n, 'log'), 'a');
      this.#segments.push(segment);
      this.#current = segment;
    }
    let text = '';
    for (let i = 0; i < records.length; i++)
      text += encodeRecord(firstSeq + i - segment.firstSeq, records[i]!);
    const data = Buffer.from(text, 'utf8');
    segment.live += records.length;
    await writeAll(segment.log!, data);
    segment.bytes += data.length;
    this.#markDirty(segment);
  }

  async #writeAcks(): Promise<void> {
    const acks = this.#acks;
    this.#acks = [];
    const bySegment = new Map<Segment, string[]>();
    for (const seq of acks) {
      // Settled before its record was written (a fast answer): wait for the next round.
      if (seq >= this.#pendingFirstSeq) {
        this.#acks.push(seq);
        continue;
      }
      const segment = this.#find(seq);
      if (segment === undefined) continue;
      let lines = bySegment.get(segment);
      if (lines === undefined) bySegment.set(segment, (lines = []));
      lines.push(`${seq - segment.firstSeq}\n`);
    }
    for (const [segment, lines] of bySegment) {
      segment.acks ??= await open(this.#path(segment.n, 'ack'), 'a');
      await writeAll(segment.acks, Buffer.from(lines.join(''), 'latin1'));
      segment.live -= lines.length;
      this.#markDirty(segment);
      if (segment.sealed && segment.live <= 0) await this.#remove(segment);
    }
  }

  #find(seq: number): Segment | undefined {
    const segments = this.#segments;
    let lo = 0;
    let hi = segments.length - 1;
    let found: Segment | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (segments[mid]!.firstSeq <= seq) {
        found = segments[mid];
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  async #seal(segment: Segment): Promise<void> {
    segment.sealed = true;
    await this.#syncing;
    if (this.#fsync !== 'never') await segment.log?.datasync();
    await segment.log?.close();
    segment.log = undefined;
    if (segment.live <= 0) await this.#remove(segment);
  }

  async #remove(segment: Segment): Promise<void> {
    await closeHandles(segment);
    const index = this.#segments.indexOf(segment);
    if (index !== -1) this.#segments.splice(index, 1);
    if (this.#current === segment) this.#current = undefined;
    await removeQuietly(this.#path(segment.n, 'log'), this.#path(segment.n, 'ack'));
  }

  #markDirty(segment: Segment): void {
    segment.dirty = true;
    if (this.#fsync === 'interval' && this.#syncTimer === undefined && !this.#closed) {
      // Beside the writes, not between them: a slow fsync must not widen the write interval.
      this.#syncTimer = unrefTimer(() => {
        this.#syncTimer = undefined;
        this.#syncing ??= this.#sync()
          .catch((error: unknown) => this.#fail(error, 'could not sync'))
          .finally(() => (this.#syncing = undefined));
      }, FSYNC_INTERVAL);
    }
  }

  async #sync(): Promise<void> {
    for (const segment of [...this.#segments]) {
      if (!segment.dirty) continue;
      segment.dirty = false;
      for (const handle of [segment.log, segment.acks]) {
        if (handle === undefined) continue;
        try {
          await handle.datasync();
        } catch (error) {
          // Closed meanwhile because the segment was deleted: nothing left to sync.
          if (segment.log === handle || segment.acks === handle) throw error;
        }
      }
    }
  }

  #fail(error: unknown, what: string): void {
    if (this.#failed !== undefined && this.#failed !== error) return;
    this.#failed = error;
    this.#pending = [];
    this.#acks = [];
    clearTimeout(this.#timer);
    clearTimeout(this.#syncTimer);
    this.#deps.report(
      new AnalyticsError(
        'OUTBOX_ERROR',
        `outbox: ${what} ${this.#dir} (${describeError(error)}); continuing in memory only: events not yet written, and those accepted from now on, are lost if the process dies`,
        { cause: error },
      ),
    );
    this.#deps.logger.warn(
      `outbox: falling back to memory only; events already written to ${this.#dir} are replayed by the next process`,
    );
  }

  #lock(): void {
    try {
      writeFileSync(this.#lockPath, `${process.pid}\n`, { flag: 'wx' });
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
      const pid = Number.parseInt(readFileSync(this.#lockPath, 'utf8'), 10);
      // PID 1 in a restarted container is a new process with an old lock: only a lock this
      // process took itself (another client on the same directory) counts as held.
      const held = pid === process.pid ? lockedHere.has(this.#dir) : isAlive(pid);
      if (held) {
        throw new AnalyticsError(
          'INVALID_OPTIONS',
          `Invalid Analytics options:\n- "outbox.dir" ${this.#dir} is locked by ${pid === process.pid ? 'another client of this process' : `process ${pid}`} (${this.#lockPath}); two clients must not share one outbox directory`,
        );
      }
      this.#deps.logger.warn(
        `outbox: taking over the lock of process ${Number.isNaN(pid) ? '(unreadable)' : pid}, which is gone, in ${this.#dir}`,
      );
      unlinkSync(this.#lockPath);
      writeFileSync(this.#lockPath, `${process.pid}\n`, { flag: 'wx' });
    }
    this.#locked = true;
    lockedHere.add(this.#dir);
  }

  #unlock(): void {
    if (!this.#locked) return;
    this.#locked = false;
    lockedHere.delete(this.#dir);
    try {
      unlinkSync(this.#lockPath);
    } catch {
      // Already gone: nothing to release.
    }
  }

  #path(n: number, kind: 'log' | 'ack'): string {
    return join(this.#dir, `segment-${n}.${kind}`);
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as { code?: unknown }).code === 'EPERM';
  }
}

async function writeAll(file: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await file.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}

async function closeHandles(segment: Segment): Promise<void> {
  const { log, acks } = segment;
  segment.log = undefined;
  segment.acks = undefined;
  await log?.close().catch(() => undefined);
  await acks?.close().catch(() => undefined);
}

async function removeQuietly(...paths: string[]): Promise<void> {
  for (const path of paths) await unlink(path).catch(() => undefined);
}
