// NestJS 12 and Next.js ship ESM-only type declarations with their own lib requirements, so this
// file is compiled on its own (tsconfig.frameworks.json, skipLibCheck) against the built adapters.
import { AnalyticsModule, AnalyticsService, Track } from '@tributary/nestjs';
import { withAnalytics } from '@tributary/next';
import { withAnalyticsMiddleware } from '@tributary/next/middleware';

const module = AnalyticsModule.forRoot({ writeKey: 'consumer', send: false });
const handler = withAnalytics(async (_request: Request) => new Response('ok'));
const middleware = withAnalyticsMiddleware();
console.log(
  JSON.stringify({
    format: 'esm-frameworks',
    module: typeof module,
    service: typeof AnalyticsService,
    decorator: typeof Track('Event'),
    handler: typeof handler,
    middleware: typeof middleware,
  }),
);
