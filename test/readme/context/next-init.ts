// The import of instrumentation.ts around the excerpt.
import { initAnalytics } from '@tributary/next';
