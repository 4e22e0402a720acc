// Not `next/server`: webpack (Next 15, and 16 with `--webpack`) builds that ESM re-export of a CommonJS
// module into a namespace holding only the names the app imports elsewhere, so `after` read off it is
// `undefined`. A namespace import of the CommonJS module itself is its real `exports` object under
// every bundler, resolved to the same Next instance as the app's (issue #21).
import * as nextAfterModule from 'next/dist/server/after/index.js';
import { batchDelivers } from './batch-delivery.js';
import { isServerless, readEnv } from './env.js';

/** How queued events leave the function once the response is sent. */
export type DeliveryStrategy =
  'wait-until' | 'after' | 'request-context' | 'vercel' | 'cloudflare' | 'await' | 'batch';

/** What the host offers; injectable so the selection can be tested without Next or a platform. */
export interface DeliveryEnvironment {
  /** An explicit keep-alive hook, such as the proxy's `event.waitUntil`. Tried first. */
  waitUntil?: ((promise: Promise<unknown>) => void) | undefined;
  /**
   * Whether the client's batching alone delivers, so nothing is scheduled after the response.
   * Defaults to `true` on `next start` (unless `initAnalytics({ flushAfterResponse: true })`) with the
   * shutdown hook (no serverless variable, Next's signal handling or `NEXT_MANUAL_SIG_HANDLE`),
   * else `false`.
   */
  batching?: boolean | undefined;
  /** Next's `after()`; throws outside a request scope. Defaults to the one from `next/server`. */
  after?: ((task: () => Promise<unknown>) => void) | undefined;
  /** Where platforms publish their request context. Defaults to `globalThis`. */
  globals?: object | undefined;
  /** Defaults to `process.env`. */
  env?: ((name: string) => string | undefined) | undefined;
  /** Where the one notice about a missing `after()` goes. Defaults to `console.warn`. */
  warn?: ((message: string) => void) | undefined;
}

const NEXT_REQUEST_CONTEXT = Symbol.for('@next/request-context');
const VERCEL_REQUEST_CONTEXT = Symbol.for('@vercel/request-context');
const CLOUDFLARE_CONTEXT = Symbol.for('__cloudflare-context__');

type WaitUntil = (promise: Promise<unknown>) => void;

/**
 * Hands `flush` to the first mechanism that keeps the function alive after the response:
 * nothing at all where the client's batching delivers (`batching`), the explicit `waitUntil`, Next's `after()`, the `@next/request-context`, `@vercel/request-context`
 * or OpenNext Cloudflare `waitUntil`. Failing those, on a serverless host the returned promise must be
 * awaited before responding (bounded by the flush's own timeout); on a long-running server the
 * client's batching delivers and nothing is scheduled.
 */
export function deliverAfterResponse(
  flush: () => Promise<unknown>,
  environment: DeliveryEnvironment = {},
): { strategy: DeliveryStrategy; pending?: Promise<unknown> } {
  // First: a flush per response (the Node.js proxy's too) would only cut the batches short.
  if (environment.batching ?? batchDelivers()) return { strategy: 'batch' };
  const globals = (environment.globals ?? globalThis) as Record<symbol, any>;
  const task = () => flush().catch(() => undefined);
  if (environment.waitUntil !== undefined && handTo(environment.waitUntil, task))
    return { strategy: 'wait-until' };
  const after = 'after' in environment ? environment.after : nextAfter();
  let unavailable: string | undefined =
    after === undefined ? 'this Next exports neither after nor unstable_after' : undefined;
  if (after !== undefined) {
    try {
      after(task);
      return { strategy: 'after' };
    } catch (error) {
      // Outside an App Router request scope (Pages API routes, custom servers) is expected: try the
      // next way quietly. Anything else (Next 15.0 without `experimental.after`) is worth one notice.
      const message = error instanceof Error ? error.message : String(error);
      if (!OUTSIDE_SCOPE.test(message)) unavailable = message;
    }
  }
  const chosen = platformOrFallback(task, globals, environment.env ?? readEnv);
  if (unavailable !== undefined) noticeOnce(unavailable, chosen.strategy, environment.warn);
  return chosen;
}

const OUTSIDE_SCOPE = /outside a request scope/i;
let noticed = false;

const FALLBACKS: Partial<Record<DeliveryStrategy, string>> = {
  'request-context': "the platform's @next/request-context waitUntil",
  vercel: "Vercel's request-context waitUntil",
  cloudflare: "Cloudflare's ctx.waitUntil",
  await: 'awaiting the flush before responding (the response waits up to flushTimeout)',
  batch: "the client's batch timer (flushInterval) on this long-running server",
};

function noticeOnce(
  reason: string,
  strategy: DeliveryStrategy,
  warn: (message: string) => void = console.warn,
): void {
  if (noticed) return;
  noticed = true;
  warn(
    `[tributary] Next's after() is unavailable (${reason}); delivering by ${FALLBACKS[strategy] ?? strategy} instead. ` +
      'On Next 15.0 set `experimental: { after: true }` in next.config.',
  );
}

/** Forgets that the notice was given; for tests. */
export function resetAfterNotice(): void {
  noticed = false;
}

function platformOrFallback(
  task: () => Promise<unknown>,
  globals: Record<symbol, any>,
  env: (name: string) => string | undefined,
): { strategy: DeliveryStrategy; pending?: Promise<unknown> } {
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
  if (isServerless(env)) return { strategy: 'await', pending: task() };
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
  const namespace = nextAfterModule as unknown as Record<string, unknown> & {
    default?: Record<string, unknown>;
  };
  const after =
    namespace['after'] ??
    namespace['unstable_after'] ??
    namespace.default?.['after'] ??
    namespace.default?.['unstable_after'];
  return typeof after === 'function'
    ? (after as (task: () => Promise<unknown>) => void)
    : undefined;
}
