// An Express app and its server around the adapter-kit excerpt, with Passport's `req.user` and the
// `req.analytics` the excerpt sets declared as an adapter would.
import type { Analytics } from '@tributary/core';
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express's own augmentation point.
  namespace Express {
    interface Request {
      user?: { id: string };
      analytics: import('@tributary/core/adapter').RequestAnalytics;
    }
  }
}
declare const app: import('express').Express;
declare const server: import('node:http').Server;
declare const analytics: Analytics;
