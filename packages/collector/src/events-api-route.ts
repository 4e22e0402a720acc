import type { ServerResponse } from 'node:http';
import type { CollectorContext } from './collector-context.js';
import { forDisplay } from './event-display.js';
import type { EventFilter } from './event-store.js';
import { sendJson } from './http.js';

/** Events `GET /api/events` returns when the query sets no `limit`. */
const DEFAULT_API_LIMIT = 1000;

/** `GET /api/events`: stored events matching the query's filters, write keys masked. */
export function handleEventsApi(context: CollectorContext, url: URL, res: ServerResponse): void {
  const q = url.searchParams;
  const filter: EventFilter = {};
  for (const key of ['type', 'event', 'userId', 'anonymousId', 'messageId'] as const) {
    const value = q.get(key);
    if (value !== null && value !== '') filter[key] = value;
  }
  const since = q.get('since');
  if (since !== null && since !== '') {
    if (Number.isNaN(Date.parse(since))) {
      return sendJson(res, 400, {
        success: false,
        code: 'invalid_filter',
        message: `since must be an ISO 8601 time, got "${since}".`,
      });
    }
    filter.since = since;
  }
  const limit = q.get('limit');
  if (limit !== null && limit !== '') {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 0) {
      return sendJson(res, 400, {
        success: false,
        code: 'invalid_filter',
        message: `limit must be a whole number, got "${limit}".`,
      });
    }
    filter.limit = n;
  } else {
    filter.limit = DEFAULT_API_LIMIT;
  }
  const order = q.get('order');
  if (order === 'desc' || order === 'asc') filter.order = order;
  sendJson(res, 200, {
    events: context.store.query(filter).map(forDisplay),
    total: context.store.count(filter),
  });
}
