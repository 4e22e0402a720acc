import { withAnalyticsApi } from '@tributary/next';
import { demoUser } from '../../lib/analytics-options';

/** A Pages Router API route. */
export default withAnalyticsApi(
  (req, res, analytics) => {
    analytics.track({
      event: 'Legacy Endpoint Called',
      properties: { method: req.method ?? 'GET' },
    });
    res.status(200).json({ ok: true });
  },
  { resolveUser: (req) => demoUser(req.headers.cookie) },
);
