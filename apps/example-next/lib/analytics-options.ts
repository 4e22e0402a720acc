import type { NextAnalyticsOptions } from '@tributary/next';

/**
 * One configuration for every runtime of the app. `TRIBUTARY_HOST` defaults to the local
 * collector (`npx tributary-collector --port 4318`), so nothing leaves the machine by default.
 */
export const analyticsOptions: NextAnalyticsOptions = {
  writeKey: process.env.TRIBUTARY_WRITE_KEY ?? 'demo-write-key',
  host: process.env.TRIBUTARY_HOST ?? 'http://127.0.0.1:4318',
  // `next start` behind no proxy: no ip from X-Forwarded-For unless you say how many proxies you run.
  trustedProxyHops: Number(process.env.TRUSTED_PROXY_HOPS ?? 0),
};

/** Stand-in for real authentication: the `demo_user` cookie names the signed-in user. */
export function demoUser(cookieHeader: string | null | undefined): string | undefined {
  const match = /(?:^|;\s*)demo_user=([^;]+)/.exec(cookieHeader ?? '');
  return match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
}
