import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleAdminFaults } from './admin-faults-route.js';
import type { CollectorContext } from './collector-context.js';
import { serveDebuggerPage } from './debugger-page.js';
import { handleEventsApi } from './events-api-route.js';
import { sendJson, sendMethodNotAllowed } from './http.js';
import { ingestEndpoint } from './ingest.js';
import { handleIngest } from './ingest-route.js';
import { handleToken } from './token-route.js';

/** Sends one request to the route that owns its path. */
export async function routeRequest(
  context: CollectorContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://collector');
  const method = req.method ?? 'GET';
  const path = url.pathname;
  const endpoint = ingestEndpoint(path);
  if (endpoint !== undefined || path === '/token') {
    // Segment's API answers browsers too (analytics.js posts cross-origin).
    res.setHeader('access-control-allow-origin', '*');
    if (method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-methods': 'POST, OPTIONS',
        'access-control-allow-headers': 'authorization, content-type, content-encoding',
        'access-control-max-age': '86400',
      });
      res.end();
      return;
    }
    if (method !== 'POST') return sendMethodNotAllowed(res, 'POST');
    if (endpoint !== undefined) return handleIngest(context, req, res, endpoint);
    return handleToken(context, req, res);
  }
  switch (path) {
    case '/':
    case '/index.html':
      if (method !== 'GET' && method !== 'HEAD') return sendMethodNotAllowed(res, 'GET');
      return serveDebuggerPage(res);
    case '/api/events':
      if (method === 'DELETE') {
        context.reset();
        return sendJson(res, 200, { success: true });
      }
      if (method !== 'GET') return sendMethodNotAllowed(res, 'GET, DELETE');
      return handleEventsApi(context, url, res);
    case '/api/stats':
      if (method !== 'GET') return sendMethodNotAllowed(res, 'GET');
      return sendJson(res, 200, context.snapshot());
    case '/api/rejections':
      if (method !== 'GET') return sendMethodNotAllowed(res, 'GET');
      return sendJson(res, 200, { rejections: context.rejectionLog.list() });
    case '/api/stream':
      if (method !== 'GET') return sendMethodNotAllowed(res, 'GET');
      context.stream.add(res);
      context.stream.send('hello', { stats: context.snapshot() });
      return;
    case '/admin/faults':
      return handleAdminFaults(context, req, res, method);
    case '/health':
      return sendJson(res, 200, { ok: true });
    default:
      return sendJson(res, 404, {
        success: false,
        code: 'not_found',
        message: `No route for ${method} ${path}.`,
      });
  }
}
