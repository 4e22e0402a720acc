// One track per request with the core client called by hand, as in the Express app.
import { Analytics } from '@tributary/core';
import { EVENT_NAME } from '../../../src/event';
import { nextEvent, ORDER } from '../../order';

export const dynamic = 'force-dynamic';

const client = new Analytics({
  writeKey: process.env.TRIBUTARY_WRITE_KEY ?? 'bench-write-key',
  host: process.env.TRIBUTARY_HOST,
});

export function GET(): Response {
  const { userId, properties } = nextEvent();
  client.track(userId, EVENT_NAME, properties);
  return Response.json(ORDER);
}
