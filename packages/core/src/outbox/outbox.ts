import type { AnalyticsError } from '../errors.js';
import type { Logger } from '../logger.js';

/**
 * How often appended events and acknowledgements are written, in milliseconds: what a process
 * crash can lose. The timer runs only while something is buffered.
 */
export const OUTBOX_WRITE_INTERVAL = 10;
/** Default `claimAfter` of the Redis outbox, in milliseconds. */
export const DEFAULT_CLAIM_AFTER = 60_000;

/**
 * A directory on a lasting disk: an append-only log of segment files, replayed on start.
 * One process at a time: the directory is locked.
 */
export interface FileOutboxOptions {
  type: 'file';
  /** The directory; created if missing. Must not be shared by two live processes. */
  dir: string;
  /**
   * When written data is forced to the disk. `'always'`: after every group write (every 10 ms
   * at most), so a machine crash loses nothing written; `'interval'`: at most once a second, so a
   * machine crash loses up to the last second; `'never'`: left to the operating system (Linux
   * writes dirty pages back within about 30 s). A process crash loses none of what was written
   * under any policy. Defaults to `'interval'`.
   */
  fsync?: 'never' | 'interval' | 'always' | undefined;
}

/**
 * A Redis Stream with a consumer group, shared by a fleet: each instance is a consumer, and
 * pending entries of a dead instance are claimed by the living ones after `claimAfter`.
 * Needs the `ioredis` package.
 */
export interface RedisOutboxOptions {
  type: 'redis';
  /** `redis://[:password@]host:port[/db]` or `rediss://…`. */
  url: string;
  /** The stream's key. */
  stream: string;
  /** The consumer group's name. Defaults to `'tributary'`. */
  group?: string | undefined;
  /**
   * Milliseconds an entry stays unacknowledged by a silent instance before another instance
   * claims and delivers it. Live instances renew their entries every `claimAfter / 3`.
   * Defaults to 60000.
   */
  claimAfter?: number | undefined;
}

/** Keeps accepted events on a lasting store until they are delivered or reported. */
export type OutboxOptions = FileOutboxOptions | RedisOutboxOptions;

/** Outbox options with every default applied. */
export type ResolvedOutboxOptions = Required<FileOutboxOptions> | Required<RedisOutboxOptions>;

/** Where an outbox keeps one event, for its acknowledgement. Opaque to the delivery engine. */
export type OutboxRef = unknown;

/** An event an earlier process (or a dead instance) accepted and never settled. */
export interface RecoveredEntry {
  json: string;
  ref: OutboxRef;
}

/** What an outbox needs from the client. */
export interface OutboxDeps {
  logger: Logger;
  /** Reports an `OUTBOX_ERROR` through `onError` and the logger. */
  report: (error: AnalyticsError) => void;
}

/**
 * A lasting store for accepted events. `append` and `ack` only buffer; the writes happen in
 * groups, off the caller's path. Implementations never throw after construction: on a storage
 * failure they report `OUTBOX_ERROR` and carry on in memory only.
 */
export interface Outbox {
  /**
   * Opens the store and hands entries left unsettled by earlier processes to `adopt`, in one call
   * with nothing awaited between it and resolving (so `flush()` can count them as still held).
   * Entries found later (Redis: claimed from dead instances) are handed to `adopt` as they come.
   */
  recover(adopt: (entries: RecoveredEntry[]) => void): Promise<void>;
  /** Buffers an event; returns its reference, or `undefined` once the outbox has failed. */
  append(json: string): OutboxRef;
  /** The events were settled: delivered, or reported as undeliverable. */
  ack(refs: OutboxRef[]): void;
  /** Writes what is buffered and releases the store (lock, connection). */
  close(): Promise<void>;
}

/** Runs `fn` on an unref'd timer: background upkeep (fsync, claims) never keeps a process alive. */
export function unrefTimer(fn: () => void, ms: number): ReturnType<typeof setTimeout> {
  const timer = setTimeout(fn, ms);
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

/** The text of an unknown error, with its `code` when it has one (`ENOSPC`, `ECONNREFUSED`). */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code)
      ? `${code} ${error.message}`
      : error.message;
  }
  return String(error);
}
