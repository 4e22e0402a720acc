import { withAnalytics } from '@tributary/next';

// The README's route handler, unchanged: the response must not wait for the collector.
export const POST = withAnalytics(
  async (request: Request, _context: unknown, analytics) => {
    const { total } = (await request.json()) as { total: number };
    analytics.track({ event: 'Order Completed', properties: { total } });
    return Response.json({ ok: true });
  },
  { resolveUser: (request) => request.headers.get('x-user-id') },
);
