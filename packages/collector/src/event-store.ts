import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/** One message the collector accepted, as stored. */
export interface StoredEvent {
  /** Position in the store, increasing with arrival. */
  seq: number;
  /** The message exactly as received, plus `receivedAt`. */
  message: Record<string, unknown>;
  messageId: string;
  type: string;
  /** The `event` of a track call. */
  event?: string;
  userId?: string;
  anonymousId?: string;
  /** The write key the request authenticated with, when it carried one. */
  writeKey?: string;
  /** When the collector received the request (ISO 8601). */
  receivedAt: string;
  /** The batch's `sentAt`, when the client sent one. */
  sentAt?: string;
}

/** Filters of {@link EventStore.query}, `GET /api/events` and `events()`; all optional, combined with AND. */
export interface EventFilter {
  type?: string;
  event?: string;
  userId?: string;
  anonymousId?: string;
  messageId?: string;
  /** ISO 8601 time; only events received at or after it. */
  since?: string;
  /** At most this many events. Defaults to all. */
  limit?: number;
  /** `asc` oldest first, `desc` newest first. Defaults to `asc`. */
  order?: 'asc' | 'desc';
}

/** An event to store: what {@link StoredEvent} holds before it has a `seq`. */
export type NewEvent = Omit<StoredEvent, 'seq'>;

interface Row {
  seq: number;
  message_id: string;
  type: string;
  event: string | null;
  user_id: string | null;
  anonymous_id: string | null;
  write_key: string | null;
  received_at: string;
  sent_at: string | null;
  message: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  event TEXT,
  user_id TEXT,
  anonymous_id TEXT,
  write_key TEXT,
  received_at TEXT NOT NULL,
  sent_at TEXT,
  message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_type ON events (type);
CREATE INDEX IF NOT EXISTS events_event ON events (event);
CREATE INDEX IF NOT EXISTS events_user_id ON events (user_id);
CREATE INDEX IF NOT EXISTS events_anonymous_id ON events (anonymous_id);
CREATE INDEX IF NOT EXISTS events_received_at ON events (received_at);
`;

const FILTER_COLUMNS = {
  type: 'type',
  event: 'event',
  userId: 'user_id',
  anonymousId: 'anonymous_id',
  messageId: 'message_id',
} as const;

/** Events in SQLite (better-sqlite3): a file that survives restarts, or `:memory:`. */
export class EventStore {
  readonly location: string;
  readonly #db: Database.Database;
  readonly #insert: Database.Statement;
  readonly #insertMany: (events: NewEvent[]) => { stored: StoredEvent[]; duplicates: NewEvent[] };

  /** @param location a file path (its directory is created) or `:memory:`. */
  constructor(location: string) {
    this.location = location;
    if (location !== ':memory:') mkdirSync(dirname(location), { recursive: true });
    this.#db = new Database(location);
    if (location !== ':memory:') this.#db.pragma('journal_mode = WAL');
    this.#db.exec(SCHEMA);
    this.#insert = this.#db.prepare(
      `INSERT OR IGNORE INTO events (message_id, type, event, user_id, anonymous_id, write_key, received_at, sent_at, message)
       VALUES (@messageId, @type, @event, @userId, @anonymousId, @writeKey, @receivedAt, @sentAt, @message)`,
    );
    this.#insertMany = this.#db.transaction((events: NewEvent[]) => {
      const stored: StoredEvent[] = [];
      const duplicates: NewEvent[] = [];
      for (const e of events) {
        const result = this.#insert.run({
          messageId: e.messageId,
          type: e.type,
          event: e.event ?? null,
          userId: e.userId ?? null,
          anonymousId: e.anonymousId ?? null,
          writeKey: e.writeKey ?? null,
          receivedAt: e.receivedAt,
          sentAt: e.sentAt ?? null,
          message: JSON.stringify(e.message),
        });
        // The UNIQUE messageId makes SQLite the single judge of duplicates, also across restarts.
        if (result.changes === 0) duplicates.push(e);
        else stored.push({ seq: Number(result.lastInsertRowid), ...e });
      }
      return { stored, duplicates };
    });
  }

  /** Stores the events in one transaction; those whose `messageId` is already stored come back as duplicates. */
  insert(events: NewEvent[]): { stored: StoredEvent[]; duplicates: NewEvent[] } {
    return this.#insertMany(events);
  }

  /** Events matching every given filter, oldest first unless `order: 'desc'`. */
  query(filter: EventFilter = {}): StoredEvent[] {
    const { where, params } = whereClause(filter);
    const order = filter.order === 'desc' ? 'DESC' : 'ASC';
    const limit =
      filter.limit !== undefined && filter.limit >= 0 ? ` LIMIT ${Math.floor(filter.limit)}` : '';
    const rows = this.#db
      .prepare(`SELECT * FROM events${where} ORDER BY seq ${order}${limit}`)
      .all(params) as Row[];
    return rows.map(toEvent);
  }

  /** How many events match the filter (`limit` and `order` are ignored). */
  count(filter: EventFilter = {}): number {
    const { where, params } = whereClause(filter);
    const row = this.#db.prepare(`SELECT COUNT(*) AS n FROM events${where}`).get(params) as {
      n: number;
    };
    return row.n;
  }

  /** Stored events by type. */
  countByType(): Record<string, number> {
    const rows = this.#db
      .prepare('SELECT type, COUNT(*) AS n FROM events GROUP BY type ORDER BY type')
      .all() as { type: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.type, r.n]));
  }

  /** Deletes every event. */
  clear(): void {
    this.#db.exec('DELETE FROM events');
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}

function whereClause(filter: EventFilter): { where: string; params: Record<string, string> } {
  const clauses: string[] = [];
  const params: Record<string, string> = {};
  for (const [key, column] of Object.entries(FILTER_COLUMNS)) {
    const value = filter[key as keyof typeof FILTER_COLUMNS];
    if (value !== undefined && value !== '') {
      clauses.push(`${column} = @${key}`);
      params[key] = value;
    }
  }
  if (filter.since !== undefined && filter.since !== '') {
    clauses.push('received_at >= @since');
    params.since = new Date(filter.since).toISOString();
  }
  return { where: clauses.length > 0 ? ` WHERE ${clauses.join(' AND ')}` : '', params };
}

function toEvent(row: Row): StoredEvent {
  const event: StoredEvent = {
    seq: row.seq,
    message: JSON.parse(row.message) as Record<string, unknown>,
    messageId: row.message_id,
    type: row.type,
    receivedAt: row.received_at,
  };
  if (row.event !== null) event.event = row.event;
  if (row.user_id !== null) event.userId = row.user_id;
  if (row.anonymous_id !== null) event.anonymousId = row.anonymous_id;
  if (row.write_key !== null) event.writeKey = row.write_key;
  if (row.sent_at !== null) event.sentAt = row.sent_at;
  return event;
}
