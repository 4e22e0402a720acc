// One track per request with the core client called by hand, as in the Express app.
import defaultClient, { Analytics } from '@tributary/core';
import { EVENT_NAME } from '../../../src/event';
import { nextEvent, ORDER } from '../../order';

export const dynamic = 'force-dynamic';

// Touching the default export makes the bundler evaluate core's entry module, which installs the
// Node runtime; with `sideEffects: false` a named import alone skips it and `new Analytics` throws
// "no runtime installed" (a core issue: the runtime should come with the constructor).
void defaultClient;
const client = new Analytics({
  writeKey: process.env.TRIBUTARY_WRITE_KEY ?? 'bench-write-key',
  host: process.env.TRIBUTARY_HOST,
});

export function GET(): Response {
  const { userId, properties } = nextEvent();
  client.track(userId, EVENT_NAME, properties);
  return Response.json(ORDER);
}
