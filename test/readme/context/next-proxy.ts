// The imports of the proxy.ts around the excerpt.
import { NextResponse } from 'next/server';
import { withAnalyticsMiddleware } from '@tributary/next';
