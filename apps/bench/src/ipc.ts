import type { ChildProcess } from 'node:child_process';
import { cpuMicros } from './clock.js';
import type { Envelope } from './protocol.js';

/** Sends a message to the parent; resolves once it has been handed to the channel. */
export function tell(message: Envelope): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined)
      throw new Error('this process must be started by the bench orchestrator (no IPC channel)');
    process.send(message, undefined, {}, () => resolve());
  });
}

/** Resolves with the next parent message of `type` (bounded by `timeout` ms). */
export function nextFromParent(type: string, timeout: number): Promise<Envelope> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.off('message', onMessage);
      reject(new Error(`no "${type}" from the orchestrator within ${timeout} ms`));
    }, timeout);
    const onMessage = (message: Envelope) => {
      if (message.type !== type) return;
      clearTimeout(timer);
      process.off('message', onMessage);
      resolve(message);
    };
    process.on('message', onMessage);
  });
}

/**
 * App side: answers the orchestrator's marks (this process's CPU, the responses `served()` counts,
 * RSS, and whatever `extra()` adds) and its stop, which calls `stop` and exits once it settles, or
 * after 3 s.
 */
export function answerMarks(app: {
  served: () => number;
  stop: () => Promise<unknown> | void;
  extra?: () => Record<string, unknown>;
}): void {
  process.on('message', (message: Envelope) => {
    if (message.type === 'mark') {
      void tell({
        type: 'mark',
        id: message.id,
        cpuMicros: cpuMicros(),
        served: app.served(),
        rss: process.memoryUsage().rss,
        ...app.extra?.(),
      });
    } else if (message.type === 'stop') {
      setTimeout(() => process.exit(0), 3000).unref();
      void Promise.resolve(app.stop()).finally(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
}

let nextId = 1;

/** Parent side: sends a request to a child and resolves with its reply (same `id`). */
export function ask(child: ChildProcess, message: Envelope, timeout = 30_000): Promise<Envelope> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`no reply to "${message.type}" within ${timeout} ms`));
    }, timeout);
    const onMessage = (reply: Envelope) => {
      if (reply.id !== id) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(reply);
    };
    child.on('message', onMessage);
    child.send({ ...message, id });
  });
}

/** Parent side: resolves with the next message of `type` from a child, or rejects on exit or timeout. */
export function expectFrom(child: ChildProcess, type: string, timeout: number): Promise<Envelope> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`no "${type}" within ${timeout} ms`));
    }, timeout);
    const onMessage = (message: Envelope) => {
      if (message.type !== type) return;
      done();
      resolve(message);
    };
    const onExit = (code: number | null, signal: string | null) => {
      done();
      reject(new ChildExit(code, signal));
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

export class ChildExit extends Error {
  constructor(
    readonly code: number | null,
    readonly signal: string | null,
  ) {
    super(`the child process exited (code ${code}, signal ${signal})`);
  }
}
