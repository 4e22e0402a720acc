// One track per request through `withAnalytics` (write key and host from TRIBUTARY_* env).
import { withAnalytics } from '@tributary/next';
import { EVENT_NAME } from '../../../src/event';
import { nextEvent, ORDER } from '../../order';

export const dynamic = 'force-dynamic';

export const GET = withAnalytics((_request: Request, _context: unknown, analytics) => {
  const { userId, properties } = nextEvent();
  analytics.track({ userId, event: EVENT_NAME, properties });
  return Response.json(ORDER);
});
