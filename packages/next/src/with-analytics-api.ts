import * as core from '@tributary/core';
import type { Id } from '@tributary/core';
import { RequestAnalytics } from '@tributary/core/adapter';
import type { NextApiRequest, NextApiResponse } from 'next';
import { deliverAfterResponse } from './deliver-after-response.js';
import { isBuildPhase, isServerless } from './env.js';
import type { NextRequestOptions } from './init.js';
import { resolveUserSafely, scopeFromRequest } from './scope-from-request.js';
import { acquireClient, settingsWith } from './shared-client.js';
import { DEFAULT_FLUSH_TIMEOUT } from './with-analytics.js';

/** Options of {@link withAnalyticsApi}; request options default to those given to `initAnalytics`. */
export interface WithAnalyticsApiOptions<
  TRequest extends NextApiRequest = NextApiRequest,
> extends NextRequestOptions {
  /** The signed-in user's id. May be async. Defaults to none: anonymous. */
  resolveUser?:
    ((request: TRequest) => Id | undefined | null | Promise<Id | undefined | null>) | undefined;
}

/**
 * Wraps a Pages Router API route (`pages/api/*`): calls made while it runs carry the request's
 * context and identity. Delivery uses the platform's `waitUntil` where there is one; on a
 * serverless host without it, `res.end` is held until the flush settles (bounded by
 * `flushTimeout`), because the function freezes when the response ends. On `next start` the
 * client's batching delivers.
 * @example
 * export default withAnalyticsApi((req, res, analytics) => {
 *   analytics.track({ event: 'Legacy Called' });
 *   res.status(200).json({ ok: true });
 * });
 */
export function withAnalyticsApi<
  TRequest extends NextApiRequest,
  TResponse extends NextApiResponse,
>(
  handler: (req: TRequest, res: TResponse, analytics: RequestAnalytics) => unknown,
  options: WithAnalyticsApiOptions<TRequest> = {},
): (req: TRequest, res: TResponse) => Promise<void> {
  const settingsNow = settingsWith(options);
  return async function apiHandlerWithAnalytics(req, res) {
    const client = acquireClient(core.Analytics);
    if (isBuildPhase()) {
      await handler(req, res, new RequestAnalytics(client, {}));
      return;
    }
    const settings = settingsNow();
    const timeout = settings.flushTimeout ?? DEFAULT_FLUSH_TIMEOUT;
    const flush = () => client.flush({ timeout });
    const encrypted = (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true;
    const scope = scopeFromRequest(
      {
        url: req.url ?? '/',
        headers: req.headers,
        protocol: encrypted ? 'https' : 'http',
        socketAddress: req.socket?.remoteAddress,
        setCookie: (cookie) => {
          if (!res.headersSent) res.appendHeader('Set-Cookie', cookie);
        },
      },
      settings,
      await resolveUserSafely(settings.resolveUser, req),
    );
    const analytics = new RequestAnalytics(client, scope);
    const holding = isServerless() && !hasWaitUntil();
    if (holding) holdEndUntil(res, flush);
    try {
      await core.runWithScope(scope, () => handler(req, res, analytics));
    } catch (error) {
      // The runtime may freeze as soon as the error surfaces: deliver first.
      await flush();
      throw error;
    }
    // When `res.end` is held, the flush already runs before the response ends.
    if (!holding) void deliverAfterResponse(flush).pending;
  };
}

type RequestContextGlobal = { get?: () => { waitUntil?: unknown } | undefined } | undefined;

function hasWaitUntil(): boolean {
  const g = globalThis as Record<symbol, RequestContextGlobal>;
  try {
    return (
      typeof g[Symbol.for('@next/request-context')]?.get?.()?.waitUntil === 'function' ||
      typeof g[Symbol.for('@vercel/request-context')]?.get?.()?.waitUntil === 'function'
    );
  } catch {
    return false;
  }
}

/** Delays the real `res.end` until `flush` settles; the handler sees `end` return as usual. */
function holdEndUntil(res: NextApiResponse, flush: () => Promise<unknown>): void {
  const end = res.end.bind(res) as (...args: unknown[]) => unknown;
  res.end = ((...args: unknown[]) => {
    void flush().finally(() => end(...args));
    return res;
  }) as NextApiResponse['end'];
}
