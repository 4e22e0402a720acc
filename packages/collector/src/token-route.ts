import type { IncomingMessage, ServerResponse } from 'node:http';
import { rejectProblem, type CollectorContext } from './collector-context.js';
import { injectFault } from './fault-injection.js';
import { readBody, sendJson } from './http.js';

/** `POST /token`: the OAuth client-credentials endpoint, with a signed client assertion. */
export async function handleToken(
  context: CollectorContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (await injectFault(context, 'token', req, res)) return;
  const read = await readBody(req, 64 * 1024);
  if ('aborted' in read) return;
  if (!('body' in read)) return rejectProblem(context, req, res, read);
  const form = new URLSearchParams(read.body.toString('utf8'));
  const origins = new Set([context.url]);
  if (req.headers.host !== undefined) origins.add(`http://${req.headers.host}`);
  const audiences = [...origins].flatMap((o) => [o, `${o}/`, `${o}/token`]);
  const result = await context.issuer.issue(form, audiences);
  if (result.status === 200) {
    context.counters.tokensIssued += 1;
    context.log(`POST /token 200 issued a token to ${result.clientId}`);
    return sendJson(res, 200, result.body, { 'cache-control': 'no-store', pragma: 'no-cache' });
  }
  context.counters.rejectedRequests[result.body.error] =
    (context.counters.rejectedRequests[result.body.error] ?? 0) + 1;
  context.rejectionLog.remember(
    req,
    result.status,
    result.body.error,
    result.body.error_description,
  );
  context.stream.send('stats', context.snapshot());
  sendJson(res, result.status, result.body, { 'cache-control': 'no-store' });
}
