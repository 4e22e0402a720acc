import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CollectorContext } from './collector-context.js';
import { StatsCounter } from './collector-stats.js';
import type { FaultTarget } from './fault-controller.js';
import { delay, drain, sendJson } from './http.js';

/**
 * Applies the faults in force to one request: waits the latency, then answers with an injected
 * status, resets the connection or leaves it hanging. Resolves `true` when the request was
 * answered by a fault and must not be handled further.
 */
export async function injectFault(
  context: CollectorContext,
  target: FaultTarget,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const { latency, action } = context.faults.decide(target);
  if (latency > 0) await delay(latency);
  switch (action.kind) {
    case 'none':
      return false;
    case 'status': {
      await drain(req);
      StatsCounter.bump(context.counters.faults, action.reason);
      const headers =
        action.retryAfter === undefined ? {} : { 'retry-after': String(action.retryAfter) };
      const message =
        `Injected fault (${action.reason}): ${action.status}` +
        (action.retryAfter === undefined ? '' : `, Retry-After ${action.retryAfter} s`);
      sendJson(res, action.status, { success: false, code: 'injected_fault', message }, headers);
      context.rejectionLog.remember(req, action.status, `fault:${action.reason}`, message);
      return true;
    }
    case 'reset':
      await drain(req);
      StatsCounter.bump(context.counters.faults, 'reset');
      context.rejectionLog.remember(req, 0, 'fault:reset', 'Injected fault: connection reset');
      req.socket.resetAndDestroy();
      return true;
    case 'hang': {
      StatsCounter.bump(context.counters.faults, 'hang');
      context.rejectionLog.remember(
        req,
        0,
        'fault:hang',
        'Injected fault: request held open until the client gives up',
      );
      const socket = req.socket;
      context.hanging.add(socket);
      socket.once('close', () => context.hanging.delete(socket));
      req.resume();
      return true;
    }
    default:
      return assertNever(action);
  }
}

function assertNever(value: never): never {
  throw new Error(`Unexpected fault action ${JSON.stringify(value)}`);
}
