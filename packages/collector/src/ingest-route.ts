import type { IncomingMessage, ServerResponse } from 'node:http';
import { readAuthorization, type Authorization } from './authorization.js';
import { reject, rejectProblem, type CollectorContext } from './collector-context.js';
import { StatsCounter } from './collector-stats.js';
import { forDisplay, mask } from './event-display.js';
import { injectFault } from './fault-injection.js';
import { drain, readBody, sendJson } from './http.js';
import type { IngestEndpoint, MessageProblem, ParsedBody } from './ingest.js';
import {
  checkMessage,
  MAX_REQUEST_BYTES,
  oversizedMessage,
  parseBody,
  toNewEvent,
} from './ingest.js';

/**
 * `POST /v1/{batch,import,track,…}`: Segment's ingestion endpoints. Faults first, then the
 * bearer token, the body, the write key and the size of each message; valid messages are stored
 * (a repeated `messageId` is a duplicate), invalid ones listed in the answer.
 */
export async function handleIngest(
  context: CollectorContext,
  req: IncomingMessage,
  res: ServerResponse,
  endpoint: IngestEndpoint,
): Promise<void> {
  const receivedAt = new Date().toISOString();
  context.counters.requests += 1;
  if (await injectFault(context, 'ingest', req, res)) return;

  const auth = readAuthorization(req.headers.authorization);
  const bearer = await checkBearer(context, req, res, auth);
  if (bearer === 'refused') return;
  const parsed = await readMessages(context, req, res, endpoint);
  if (parsed === undefined) return;
  const writeKey = auth.kind === 'basic' ? auth.writeKey : parsed.writeKey;
  if (bearer !== 'valid' && !checkWriteKey(context, req, res, writeKey)) return;

  const oversized = oversizedMessage(parsed.messages);
  if (oversized !== undefined) return rejectProblem(context, req, res, oversized);
  store(context, req, res, parsed, { receivedAt, writeKey });
}

/** A bearer token is checked when keys are enforced or tokens are issued; a bad one is a 401. */
async function checkBearer(
  context: CollectorContext,
  req: IncomingMessage,
  res: ServerResponse,
  auth: Authorization,
): Promise<'valid' | 'refused' | 'none'> {
  if (auth.kind !== 'bearer' || (context.writeKeys.size === 0 && !context.issuer.enabled))
    return 'none';
  const check = context.issuer.check(auth.token);
  if (check.ok) return 'valid';
  await drain(req);
  const message =
    check.reason === 'expired_token'
      ? 'The bearer token has expired; get a new one from POST /token.'
      : 'The bearer token was not issued by this collector (POST /token).';
  reject(context, req, res, 401, check.reason, message, {
    'www-authenticate': `Bearer error="invalid_token"`,
  });
  return 'refused';
}

/** The body read, decompressed and parsed for `endpoint`, or `undefined` once refused (or aborted). */
async function readMessages(
  context: CollectorContext,
  req: IncomingMessage,
  res: ServerResponse,
  endpoint: IngestEndpoint,
): Promise<ParsedBody | undefined> {
  const read = await readBody(req, MAX_REQUEST_BYTES);
  if ('aborted' in read) return undefined;
  if (!('body' in read)) {
    rejectProblem(context, req, res, read);
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(read.body.toString('utf8'));
  } catch (error) {
    reject(
      context,
      req,
      res,
      400,
      'invalid_json',
      `The body is not valid JSON: ${(error as Error).message}`,
    );
    return undefined;
  }
  const parsed = parseBody(endpoint, json);
  if ('status' in parsed) {
    rejectProblem(context, req, res, parsed);
    return undefined;
  }
  return parsed;
}

/** With write keys configured, only those are accepted; otherwise any key (or none) is. */
function checkWriteKey(
  context: CollectorContext,
  req: IncomingMessage,
  res: ServerResponse,
  writeKey: string | undefined,
): boolean {
  if (context.writeKeys.size === 0) return true;
  if (writeKey !== undefined && context.writeKeys.has(writeKey)) return true;
  const message =
    writeKey === undefined
      ? 'No write key: send Authorization: Basic base64("<writeKey>:"), a "writeKey" in the body, or a bearer token.'
      : `The write key "${mask(writeKey)}" is not one this collector accepts.`;
  reject(context, req, res, 401, 'unauthorized', message, {
    'www-authenticate': 'Basic realm="tributary-collector"',
  });
  return false;
}

/** Stores the valid messages, answers 200 with the invalid and duplicate ones, and tells the page. */
function store(
  context: CollectorContext,
  req: IncomingMessage,
  res: ServerResponse,
  parsed: ParsedBody,
  meta: { receivedAt: string; writeKey: string | undefined },
): void {
  const { counters: stats } = context;
  stats.received += parsed.messages.length;
  const rejected: MessageProblem[] = [];
  const valid = [];
  for (const [index, message] of parsed.messages.entries()) {
    const problem = checkMessage(message);
    if (problem !== undefined) {
      rejected.push({ index, ...problem });
      StatsCounter.bump(stats.invalid, problem.code);
    } else {
      valid.push(
        toNewEvent(message as Record<string, unknown>, {
          receivedAt: meta.receivedAt,
          ...(meta.writeKey !== undefined ? { writeKey: meta.writeKey } : {}),
          ...(parsed.sentAt !== undefined ? { sentAt: parsed.sentAt } : {}),
        }),
      );
    }
  }
  const { stored, duplicates } = context.store.insert(valid);
  stats.stored += stored.length;
  stats.duplicates += duplicates.length;

  sendJson(res, 200, {
    success: true,
    ...(rejected.length > 0 ? { rejected } : {}),
    ...(duplicates.length > 0 ? { duplicates: duplicates.map((d) => d.messageId) } : {}),
  });
  context.log(
    `${req.method} ${req.url} 200 stored ${stored.length}` +
      (duplicates.length > 0 ? `, ${duplicates.length} duplicate(s)` : '') +
      (rejected.length > 0
        ? `, ${rejected.length} invalid (${rejected.map((r) => r.code).join(', ')})`
        : ''),
  );
  for (const event of stored) context.stream.send('event', forDisplay(event));
  if (rejected.length > 0) {
    context.rejectionLog.remember(
      req,
      200,
      'invalid_messages',
      rejected.map((r) => `#${r.index} ${r.code}: ${r.message}`).join('; '),
    );
  }
  context.stream.send('stats', context.snapshot());
  if (stored.length > 0) context.eventsStored();
}
