import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { AnalyticsError } from '../errors.js';
import {
  describeError,
  OUTBOX_WRITE_INTERVAL,
  unrefTimer,
  type Outbox,
  type OutboxDeps,
  type OutboxRef,
  type RecoveredEntry,
  type RedisOutboxOptions,
} from './outbox.js';

/** Entries per script call, acknowledgement command and claim page. */
const CHUNK = 500;

/**
 * Adds the events and reads them into this consumer's pending list in one atomic step, so no
 * entry is ever in the stream without an owner: every producer runs this script, so the group's
 * undelivered entries are exactly the ones just added. ARGV: group, consumer, events…
 */
const APPEND_SCRIPT = `
local ids = {}
for i = 3, #ARGV do ids[#ids + 1] = redis.call('XADD', KEYS[1], '*', 'm', ARGV[i]) end
redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', #ids, 'STREAMS', KEYS[1], '>')
return ids`;

interface RedisRef {
  id: string | undefined;
  acked: boolean;
}

type AppendingRedis = Redis & {
  tributaryAppend(
    key: string,
    group: string,
    consumer: string,
    ...events: string[]
  ): Promise<string[]>;
};

/**
 * The Redis outbox: a stream with a consumer group, each client one consumer. Events are added
 * in groups every {@link OUTBOX_WRITE_INTERVAL} ms, acknowledged (XACK, then XDEL) once settled,
 * and a client's own pending entries are renewed every `claimAfter / 3`; entries left idle longer
 * than `claimAfter` (their client died) are claimed with XAUTOCLAIM and delivered by a living one.
 */
export class RedisOutbox implements Outbox {
  readonly #options: Required<RedisOutboxOptions>;
  readonly #deps: OutboxDeps;
  readonly #consumer = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  #redis: AppendingRedis | undefined;
  #ready = false;
  #failed = false;
  #closed = false;
  #pending: { json: string; ref: RedisRef }[] = [];
  #acks: string[] = [];
  /** Own entries not acknowledged yet, by id: renewed so no one claims them, skipped when claiming. */
  readonly #live = new Map<string, RedisRef>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #claimTimer: ReturnType<typeof setTimeout> | undefined;
  #renewTimer: ReturnType<typeof setTimeout> | undefined;
  #writing: Promise<void> | undefined;
  #adopt: ((entries: RecoveredEntry[]) => void) | undefined;
  /** The connection's last error: more telling than the "Connection is closed" a command fails with. */
  #lastError: unknown;

  constructor(options: Required<RedisOutboxOptions>, deps: OutboxDeps) {
    this.#options = options;
    this.#deps = deps;
  }

  async recover(adopt: (entries: RecoveredEntry[]) => void): Promise<void> {
    this.#adopt = adopt;
    const { url, stream, group } = this.#options;
    try {
      // Loaded only when configured: ioredis is an optional peer dependency.
      const { Redis } = await import('ioredis');
      const redis = new Redis(url, {
        lazyConnect: true,
        connectTimeout: 2000,
        maxRetriesPerRequest: 1,
        retryStrategy: (times) => (times > 3 ? null : times * 200),
      }) as AppendingRedis;
      redis.on('error', (error: unknown) => {
        this.#lastError = error;
        this.#deps.logger.debug(`outbox: redis: ${describeError(error)}`);
      });
      redis.defineCommand('tributaryAppend', { numberOfKeys: 1, lua: APPEND_SCRIPT });
      this.#redis = redis;
      redis.on('ready', () => {
        if (this.#ready && !this.#closed && this.#writing === undefined) this.#holdProcess(false);
      });
      await redis.connect();
      try {
        await redis.xgroup('CREATE', stream, group, '$', 'MKSTREAM');
      } catch (error) {
        if (!describeError(error).includes('BUSYGROUP')) throw error;
      }
      if (this.#closed) return;
      this.#ready = true;
      await this.#claim();
      this.#scheduleRenew();
      if (this.#writing === undefined) this.#holdProcess(false);
      if (this.#pending.length > 0) this.#schedule();
    } catch (error) {
      if (error instanceof Error && /Cannot find (package|module) 'ioredis'/.test(error.message)) {
        this.#fail(
          new Error('the "ioredis" package is not installed: npm install ioredis', {
            cause: error,
          }),
        );
      } else {
        this.#fail(error);
      }
    }
  }

  append(json: string): OutboxRef {
    if (this.#failed || this.#closed) return undefined;
    const ref: RedisRef = { id: undefined, acked: false };
    this.#pending.push({ json, ref });
    if (this.#timer === undefined && this.#ready) this.#schedule();
    return ref;
  }

  ack(refs: OutboxRef[]): void {
    if (this.#failed) return;
    for (const ref of refs as (RedisRef | undefined)[]) {
      if (ref === undefined) continue;
      ref.acked = true;
      if (ref.id === undefined) continue;
      this.#live.delete(ref.id);
      this.#acks.push(ref.id);
    }
    if (this.#acks.length > 0 && this.#timer === undefined && this.#ready && !this.#closed)
      this.#schedule();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#claimTimer);
    clearTimeout(this.#renewTimer);
    const redis = this.#redis;
    if (redis === undefined) return;
    // A process awaiting close() must not end before the last writes are answered.
    this.#holdProcess(true);
    if (this.#ready) {
      await this.#write();
      // Leave the group tidy; a consumer with pending entries stays so others can claim them.
      if (!this.#failed && this.#live.size === 0 && this.#pending.length === 0) {
        await redis
          .xgroup('DELCONSUMER', this.#options.stream, this.#options.group, this.#consumer)
          .catch(() => undefined);
      }
    }
    try {
      await redis.quit();
    } catch {
      redis.disconnect();
    }
  }

  #schedule(): void {
    // Not unref'd, like the connection while it writes: a process ending naturally first writes
    // what it buffered; an idle connection does not keep it alive.
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#write();
    }, OUTBOX_WRITE_INTERVAL);
  }

  #write(): Promise<void> {
    this.#writing ??= this.#writeRounds().finally(() => (this.#writing = undefined));
    return this.#writing;
  }

  async #writeRounds(): Promise<void> {
    const redis = this.#redis!;
    const { stream, group } = this.#options;
    this.#holdProcess(true);
    try {
      while (!this.#failed && (this.#pending.length > 0 || this.#acks.length > 0)) {
        const pending = this.#pending;
        this.#pending = [];
        const pipeline = redis.pipeline() as ReturnType<Redis['pipeline']> & {
          tributaryAppend(
            key: string,
            group: string,
            consumer: string,
            ...events: string[]
          ): unknown;
        };
        for (let i = 0; i < pending.length; i += CHUNK) {
          const events = pending.slice(i, i + CHUNK).map((p) => p.json);
          pipeline.tributaryAppend(stream, group, this.#consumer, ...events);
        }
        const acks = this.#acks;
        this.#acks = [];
        for (let i = 0; i < acks.length; i += CHUNK) {
          const ids = acks.slice(i, i + CHUNK);
          pipeline.xack(stream, group, ...ids);
          pipeline.xdel(stream, ...ids);
        }
        const results = (await pipeline.exec()) ?? [];
        for (const [error] of results) if (error) throw error;
        let index = 0;
        for (let i = 0; i < pending.length; i += CHUNK) {
          const ids = results[index++]![1] as string[];
          for (let j = 0; j < ids.length; j++) {
            const ref = pending[i + j]!.ref;
            ref.id = ids[j];
            // Settled before it was written (a fast answer): acknowledge it right away.
            if (ref.acked) this.#acks.push(ids[j]!);
            else this.#live.set(ids[j]!, ref);
          }
        }
      }
    } catch (error) {
      this.#fail(error);
    } finally {
      if (!this.#closed) this.#holdProcess(false);
    }
  }

  #holdProcess(hold: boolean): void {
    const socket = this.#redis?.stream as { ref?: () => void; unref?: () => void } | undefined;
    if (hold) socket?.ref?.();
    else socket?.unref?.();
  }

  /** Claims entries idle longer than `claimAfter` (a dead client's) and hands them to delivery. */
  async #claim(): Promise<void> {
    const redis = this.#redis!;
    const { stream, group, claimAfter } = this.#options;
    let cursor = '0-0';
    const entries: RecoveredEntry[] = [];
    // Bounded per round: a large backlog is taken over a few pages at a time.
    for (let page = 0; page < 10 && !this.#failed && !this.#closed; page++) {
      const [next, claimed] = (await redis.xautoclaim(
        stream,
        group,
        this.#consumer,
        claimAfter,
        cursor,
        'COUNT',
        CHUNK,
      )) as [string, [string, string[] | null][]];
      for (const [id, fields] of claimed) {
        if (this.#live.has(id) || fields === null) continue;
        const json = fields[fields.indexOf('m') + 1];
        if (json === undefined) continue;
        const ref: RedisRef = { id, acked: false };
        this.#live.set(id, ref);
        entries.push({ json, ref });
      }
      cursor = next;
      if (cursor === '0-0') break;
    }
    // One call, with nothing awaited after it in recover(): see Outbox.recover.
    if (entries.length > 0 && !this.#closed) {
      this.#deps.logger.info(
        `outbox: claimed ${entries.length} undelivered event(s) from stream ${stream}`,
      );
      this.#adopt?.(entries);
    }
    if (!this.#failed && !this.#closed) {
      this.#claimTimer = unrefTimer(
        () => {
          this.#claim().catch((error: unknown) => this.#fail(error));
        },
        Math.max(50, claimAfter / 2),
      );
    }
  }

  /** Resets the idle time of this client's own pending entries, so no other client claims them. */
  #scheduleRenew(): void {
    const { stream, group, claimAfter } = this.#options;
    this.#renewTimer = unrefTimer(
      () => {
        const ids = [...this.#live.keys()];
        const renew = async () => {
          for (let i = 0; i < ids.length && !this.#closed; i += CHUNK) {
            await this.#redis!.xclaim(
              stream,
              group,
              this.#consumer,
              0,
              ...ids.slice(i, i + CHUNK),
              'JUSTID',
            );
          }
        };
        renew()
          .then(() => {
            if (!this.#failed && !this.#closed) this.#scheduleRenew();
          })
          .catch((error: unknown) => this.#fail(error));
      },
      Math.max(30, claimAfter / 3),
    );
  }

  #fail(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#ready = false;
    this.#pending = [];
    this.#acks = [];
    clearTimeout(this.#timer);
    clearTimeout(this.#claimTimer);
    clearTimeout(this.#renewTimer);
    const { url, stream } = this.#options;
    const cause = this.#lastError ?? error;
    this.#deps.report(
      new AnalyticsError(
        'OUTBOX_ERROR',
        `outbox: Redis stream ${stream} at ${redactUrl(url)} failed (${describeError(cause)}); continuing in memory only: events accepted from now on are lost if the process dies`,
        { cause },
      ),
    );
    this.#deps.logger.warn(
      'outbox: falling back to memory only; entries already in the stream are claimed by other instances',
    );
    this.#redis?.disconnect();
  }
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//[redacted]@');
}
