// One track per request through `withAnalytics` (write key and host from TRIBUTARY_* env).
import { initAnalytics, withAnalytics } from '@tributary/next';
import { EVENT_NAME } from '../../../src/event';
import { nextEvent, ORDER } from '../../order';

export const dynamic = 'force-dynamic';

// What `instrumentation.ts` does in a real app (peer addresses, shutdown delivery), here so that
// only the process serving this route pays for it, not the baseline's. The default on `next start`
// lets the client's batching deliver, as the Express and Nest adapters do, rather than a flush
// after every response (see packages/next's README).
initAnalytics({
  writeKey: process.env.TRIBUTARY_WRITE_KEY ?? 'bench-write-key',
  host: process.env.TRIBUTARY_HOST,
});

export const GET = withAnalytics((_request: Request, _context: unknown, analytics) => {
  const { userId, properties } = nextEvent();
  analytics.track({ userId, event: EVENT_NAME, properties });
  return Response.json(ORDER);
});
