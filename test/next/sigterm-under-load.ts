import type { ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import type { RunningCollector } from '@tributary/collector';
import type { RunResult } from './helpers.js';

/** A `next start` of the server fixture, as `startNext` returns it. */
export interface RunningNext {
  url: string;
  child: ChildProcess;
  done: Promise<RunResult>;
  output: () => string;
}

export interface SigtermLoadOptions {
  /** Keep-alive clients, each sending one request after another. */
  clients: number;
  /** SIGTERM once this many requests have been answered. */
  signalAfter: number;
  /** Milliseconds each request takes in the route handler (between its two events). */
  delay: number;
  /** Milliseconds from the signal within which the process must have ended. */
  limit: number;
  /** Prefix of the request ids, unique per scenario. */
  prefix: string;
  /** Runs just before the signal, e.g. to make the collector fail while the server shuts down. */
  beforeSignal?: () => void;
}

/** What happened to every request and every event of one run, counted by request id and messageId. */
export interface SigtermLoadResult {
  sent: number;
  /** Request ids answered 200. */
  answered: string[];
  /** Answered 200 after the signal had been sent. */
  answeredAfterSignal: number;
  /** Requests that failed at the socket, by id, with the error code. */
  failed: Map<string, string>;
  /** Failed requests the route handler had started: cut while in flight. */
  cut: string[];
  /** Answered requests with a `Slow Started` or `Slow Finished` event neither stored nor reported. */
  lost: string[];
  /** Events of this run reported through onError (`event|id|messageId|code`). */
  reported: string[];
  /** Distinct messageIds stored for this run, and how many deliveries repeated one (the collector keeps the first). */
  storedMessageIds: number;
  duplicates: number;
  exit: RunResult | 'still running';
  shutdownMs: number;
}

/**
 * Drives `clients` keep-alive clients against `/api/slow` until `signalAfter` answers, sends
 * SIGTERM, keeps the clients going until the server stops answering, and accounts for every
 * request and event: stored in the collector (by messageId) or reported on the app's stdout by
 * the fixture's `onError` (`REPORTED <code> <n> <messageIds>`).
 */
export async function sigtermUnderLoad(
  app: RunningNext,
  collector: RunningCollector,
  options: SigtermLoadOptions,
): Promise<SigtermLoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.clients });
  const answered: string[] = [];
  const failed = new Map<string, string>();
  let answeredAfterSignal = 0;
  let sent = 0;
  let signalledAt = 0;
  // Bounded in count and time whatever the server does.
  const maxPerClient = options.signalAfter * 4;
  const hardStop = Date.now() + 60_000 + options.limit;
  const client = async (c: number): Promise<void> => {
    for (let n = 0; n < maxPerClient && Date.now() < hardStop; n++) {
      const id = `${options.prefix}-${c}-${n}`;
      sent++;
      try {
        const status = await get(`${app.url}/api/slow?delay=${options.delay}&id=${id}`, agent);
        if (status !== 200) throw Object.assign(new Error(`status ${status}`), { code: status });
        answered.push(id);
        if (signalledAt > 0) answeredAfterSignal++;
      } catch (error) {
        failed.set(id, String((error as { code?: unknown }).code ?? error));
        if (signalledAt > 0) return;
      }
    }
  };
  const clients = Promise.all(Array.from({ length: options.clients }, (_, c) => client(c)));
  while (answered.length < options.signalAfter && Date.now() < hardStop && failed.size === 0)
    await new Promise((resolve) => setTimeout(resolve, 10));
  options.beforeSignal?.();
  signalledAt = Date.now();
  app.child.kill('SIGTERM');
  const exit = await Promise.race([
    app.done,
    new Promise<'still running'>((resolve) =>
      setTimeout(() => resolve('still running'), options.limit + 5_000),
    ),
  ]);
  const shutdownMs = Date.now() - signalledAt;
  await clients;
  agent.destroy();

  const events = collector
    .events()
    .filter((e) =>
      String((e.message.properties as { id?: string })?.id).startsWith(options.prefix),
    );
  const started = new Set(events.filter((e) => e.event === 'Slow Started').map(idOf));
  const finished = new Set(events.filter((e) => e.event === 'Slow Finished').map(idOf));
  const reportedEvents = reportedMessages(app.output()).filter((m) =>
    String(m.id).startsWith(options.prefix),
  );
  const reportedKeys = new Set(reportedEvents.map((m) => `${m.event}|${m.id}`));
  const accounted = (event: string, id: string) =>
    (event === 'Slow Started' ? started : finished).has(id) || reportedKeys.has(`${event}|${id}`);
  const missing = answered.filter((id) => !started.has(id) || !finished.has(id));
  const messageIds = events.map((e) => e.messageId);
  return {
    sent,
    answered,
    answeredAfterSignal,
    failed,
    cut: [...failed.keys()].filter((id) => started.has(id)),
    lost: missing.filter((id) => !accounted('Slow Started', id) || !accounted('Slow Finished', id)),
    reported: reportedEvents.map((m) => `${m.event}|${m.id}|${m.messageId}|${m.code}`),
    storedMessageIds: new Set(messageIds).size,
    duplicates: collector.stats().duplicates,
    exit,
    shutdownMs,
  };
}

function idOf(event: { message: Record<string, unknown> }): string {
  return String((event.message.properties as { id?: string }).id);
}

function get(url: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

interface ReportedMessage {
  code: string;
  messageId: string;
  event: string;
  id: unknown;
}

/** The fixture's `REPORTED {json}` lines: what its onError was given. */
export function reportedMessages(output: string): ReportedMessage[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('REPORTED '))
    .flatMap((line) => {
      const { code, messages } = JSON.parse(line.slice('REPORTED '.length)) as {
        code: string;
        messages: Omit<ReportedMessage, 'code'>[];
      };
      return messages.map((m) => ({ ...m, code }));
    });
}
