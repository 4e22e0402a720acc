import { withAnalytics } from '@tributary/next';

// The edge runtime resolves @tributary/core to its edge build (no node: imports, fetch transport).
// Next 16 deprecates `runtime = 'edge'`; it is here to show and test that path.
export const runtime = 'edge';

export const GET = withAnalytics(async (_request: Request, _context: unknown, analytics) => {
  analytics.track({
    event: 'Edge Pinged',
    properties: { runtime: process.env.NEXT_RUNTIME ?? 'unknown' },
  });
  return Response.json({ runtime: process.env.NEXT_RUNTIME ?? 'unknown' });
});
