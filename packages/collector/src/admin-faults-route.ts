import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CollectorContext } from './collector-context.js';
import { validateFaultSpec, type FaultSpec } from './fault-controller.js';
import { drain, readBody, sendJson, sendMethodNotAllowed } from './http.js';

/** `/admin/faults`: `GET` the faults in force, `POST`/`PUT` new ones, `DELETE` to clear them. */
export async function handleAdminFaults(
  context: CollectorContext,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
): Promise<void> {
  if (method === 'GET') return sendJson(res, 200, { faults: context.faults.current() });
  if (method === 'DELETE') {
    await drain(req);
    sendJson(res, 200, { faults: {} });
    // Cleared after the answer is out: clearing `down` reopens the listener.
    context.faults.clear();
    context.log('faults cleared');
    return;
  }
  if (method !== 'POST' && method !== 'PUT') return sendMethodNotAllowed(res, 'GET, POST, DELETE');
  const read = await readBody(req, 64 * 1024);
  if ('aborted' in read) return;
  if (!('body' in read))
    return sendJson(res, read.status, { success: false, code: read.code, message: read.message });
  let spec: FaultSpec;
  try {
    spec = validateFaultSpec(JSON.parse(read.body.toString('utf8') || '{}'));
  } catch (error) {
    const message =
      error instanceof SyntaxError
        ? `The body is not valid JSON: ${error.message}`
        : (error as Error).message;
    return sendJson(res, 400, { success: false, code: 'invalid_faults', message });
  }
  // Applied once the answer is written, so a `down` fault does not cut its own answer.
  res.once('finish', () => {
    if (!context.closing) context.faults.set(spec);
  });
  context.log(`faults set: ${JSON.stringify(spec)}`);
  sendJson(res, 200, { faults: spec });
}
