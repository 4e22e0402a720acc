// The Express quick start around the excerpt: the app, the middleware and a write key.
import { analyticsMiddleware } from '@tributary/express';
declare const app: import('express').Express;
declare const writeKey: string;
