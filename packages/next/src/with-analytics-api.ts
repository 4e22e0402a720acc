import * as core from '@tributary/core';
import type { Id, RequestScope } from '@tributary/core';
import type { NextApiRequest, NextApiResponse } from 'next';
import { resolveClientIp, type HeaderReader } from './client-ip.js';
import { deliverAfterResponse } from './deliver-after-response.js';
import { isBuildPhase, isServerless } from './env.js';
import type { NextRequestOptions } from './init.js';
import { createRequestAnalytics, type RequestAnalytics } from './request-analytics.js';
import { resolveUserSafely } from './scope-from-request.js';
import { acquireClient, sharedRequestOptions } from './shared-client.js';
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
  return async function apiHandlerWithAnalytics(req, res) {
    const client = acquireClient(core.Analytics);
    if (isBuildPhase()) {
      await handler(req, res, createRequestAnalytics(client, {}, core.runWithScope));
      return;
    }
    const settings = { ...sharedRequestOptions(), ...options };
    const timeout = settings.flushTimeout ?? DEFAULT_FLUSH_TIMEOUT;
    const flush = () => client.flush({ timeout });
    const scope = scopeFromNode(req, settings, await resolveUserSafely(settings.resolveUser, req));
    const analytics = createRequestAnalytics(client, scope, core.runWithScope);
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

function scopeFromNode(
  req: NextApiRequest,
  options: NextRequestOptions,
  userId: Id | undefined,
): RequestScope {
  const headers: HeaderReader = {
    get(name) {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(', ') : (value ?? null);
    },
  };
  let ip = resolveClientIp(headers, options);
  // No proxy trusted: the peer is the client (Express's `trust proxy` false).
  if (ip === undefined && options.getClientIp === undefined && !(options.trustedProxyHops! > 0))
    ip = req.socket?.remoteAddress;
  const scope: RequestScope = {
    context: core.requestContextFromNode(
      {
        headers: req.headers,
        url: req.url,
        socket: {
          encrypted: (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true,
        },
      },
      { ip },
    ),
  };
  const anonymousId = core.readAnonymousIdCookie(headers.get('cookie'));
  if (anonymousId !== undefined) scope.anonymousId = anonymousId;
  if (userId !== undefined) {
    const id = typeof userId === 'bigint' ? String(userId) : userId;
    scope.userId = () => id;
  }
  return scope;
}

function hasWaitUntil(): boolean {
  const g = globalThis as Record<symbol, any>;
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
