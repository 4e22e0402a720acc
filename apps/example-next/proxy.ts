import { initAnalytics, withAnalyticsMiddleware } from '@tributary/next';
import { analyticsOptions, demoUser } from './lib/analytics-options';

// Proxy bundles may not share module state with the app: make sure this one is configured too.
initAnalytics(analyticsOptions);

/** Page views for every page, `ajs_anonymous_id` seeding and `x-request-id` forwarding. */
export const proxy = withAnalyticsMiddleware(undefined, {
  exclude: ['/_next', '/api', '/newsletter/thanks', /\.[a-z0-9]+$/i],
  resolveUser: (request) => demoUser(request.headers.get('cookie')),
  pageName: (request) =>
    request.nextUrl.pathname === '/' ? 'Home' : request.nextUrl.pathname.slice(1),
});

export const config = {
  // Excluding a path here also skips Server Function POSTs to it: keep pages with actions included.
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};
