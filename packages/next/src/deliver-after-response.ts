import * as nextServer from 'next/server.js';
import { isServerless, readEnv } from './env.js';

/** How queued events leave the function once the response is sent. */
export type DeliveryStrategy =
  'wait-until' | 'after' | 'request-context' | 'vercel' | 'cloudflare' | 'await' | 'batch';

/** What the host offers; injectable so the selection can be tested without Next or a platform. */
export interface DeliveryEnvironment {
  /** An explicit keep-alive hook, such as the proxy's `event.waitUntil`. Tried first. */
  waitUntil?: ((promise: Promise<unknown>) => void) | undefined;
  /** Next's `after()`; throws outside a request scope. Defaults to the one from `next/server`. */
  after?: ((task: () => Promise<unknown>) => void) | undefined;
  /** Where platforms publish their request context. Defaults to `globalThis`. */
  globals?: object;
  /** Defaults to `process.env`. */
  env?: (name: string) => string | undefined;
}

const NEXT_REQUEST_CONTEXT = Symbol.for('@next/request-context');
const VERCEL_REQUEST_CONTEXT = Symbol.for('@vercel/request-context');
const CLOUDFLARE_CONTEXT = Symbol.for('__cloudflare-context__');

type WaitUntil = (promise: Promise<unknown>) => void;

/**
 * Hands `flush` to the first mechanism that keeps the function alive after the response:
 * the explicit `waitUntil`, Next's `after()`, the `@next/request-context`, `@vercel/request-context`
 * or OpenNext Cloudflare `waitUntil`. Failing those, on a serverless host the returned promise must be
 * awaited before responding (bounded by the flush's own timeout); on a long-running server the
 * client's batching delivers and nothing is scheduled.
 */
export function deliverAfterResponse(
  flush: () => Promise<unknown>,
  environment: DeliveryEnvironment = {},
): { strategy: DeliveryStrategy; pending?: Promise<unknown> } {
  const globals = (environment.globals ?? globalThis) as Record<symbol, any>;
  const task = () => flush().catch(() => undefined);
  if (environment.waitUntil !== undefined && handTo(environment.waitUntil, task))
    return { strategy: 'wait-until' };
  const after = 'after' in environment ? environment.after : nextAfter();
  if (after !== undefined) {
    try {
      after(task);
      return { strategy: 'after' };
    } catch {
      // Outside an App Router request scope (Pages API routes, custom servers): try the next way.
    }
  }
  const platforms: [DeliveryStrategy, () => WaitUntil | undefined][] = [
    ['request-context', () => globals[NEXT_REQUEST_CONTEXT]?.get?.()?.waitUntil],
    ['vercel', () => globals[VERCEL_REQUEST_CONTEXT]?.get?.()?.waitUntil],
    [
      'cloudflare',
      () => globals[CLOUDFLARE_CONTEXT]?.ctx?.waitUntil?.bind(globals[CLOUDFLARE_CONTEXT].ctx),
    ],
  ];
  for (const [strategy, find] of platforms) {
    let waitUntil: WaitUntil | undefined;
    try {
      waitUntil = find();
    } catch {
      waitUntil = undefined;
    }
    if (typeof waitUntil === 'function' && handTo(waitUntil, task)) return { strategy };
  }
  if (isServerless(environment.env ?? readEnv)) return { strategy: 'await', pending: task() };
  return { strategy: 'batch' };
}

function handTo(waitUntil: WaitUntil, task: () => Promise<unknown>): boolean {
  try {
    waitUntil(task());
    return true;
  } catch {
    return false;
  }
}

/** `after` is stable since Next 15.1 and was `unstable_after` in 15.0. */
function nextAfter(): ((task: () => Promise<unknown>) => void) | undefined {
  const exports = nextServer as unknown as Record<string, unknown>;
  const after = exports['after'] ?? exports['unstable_after'];
  return typeof after === 'function'
    ? (after as (task: () => Promise<unknown>) => void)
    : undefined;
}
