import { initAnalytics } from '@tributary/next';
import { analyticsOptions } from './lib/analytics-options';

/** Runs once per server runtime before requests are served; nothing runs during `next build`. */
export function register(): void {
  initAnalytics(analyticsOptions);
}
