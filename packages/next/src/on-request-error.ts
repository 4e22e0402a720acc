import * as core from '@tributary/core';
import type { Properties } from '@tributary/core';
import {
  DEFAULT_ERROR_EVENT,
  errorEventProperties,
  hasIdentity,
  isServerError,
  RequestAnalytics,
} from '@tributary/core/adapter';
import { deliverAfterResponse } from './deliver-after-response.js';
import { isBuildPhase } from './env.js';
import { scopeFromRequest } from './scope-from-request.js';
import { acquireClient, sharedRequestOptions } from './shared-client.js';
import { DEFAULT_FLUSH_TIMEOUT } from './with-analytics.js';

/** The request as Next.js gives it to `onRequestError`. */
export interface ErroredRequest {
  path: string;
  method: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** Where the error happened, as Next.js tells `onRequestError`. */
export interface RequestErrorContext {
  routerKind: string;
  /** The route template, such as `/products/[id]`. */
  routePath: string;
  /** `'render'`, `'route'`, `'action'`, `'proxy'` or `'middleware'`. */
  routeType: string;
}

/** Options of `trackErrors` in `initAnalytics`. */
export interface TrackErrorsOptions {
  /** The event name. Defaults to `'Server Error'`. */
  event?: string | undefined;
  /** Which errors to record. Defaults to errors without a status or with a status of 500 or more. */
  shouldRecord?: ((error: unknown, context: RequestErrorContext) => boolean) | undefined;
  /** The event's properties. Defaults to `name`, `message` (200 characters at most), `status`, `method`, `route`. */
  properties?:
    | ((error: unknown, request: ErroredRequest, context: RequestErrorContext) => Properties)
    | undefined;
}

/**
 * Next.js's `onRequestError` instrumentation hook: records each server error (route handlers,
 * Server Components, Server Actions, Pages API routes, the proxy) as an event, with the request's
 * context and anonymous id, as `trackErrors` in `initAnalytics` says (on by default). Requests with
 * no identity (no `ajs_anonymous_id` cookie) are not recorded. Never throws.
 * @example
 * // instrumentation.ts
 * import { initAnalytics } from '@tributary/next';
 * export { onRequestError } from '@tributary/next';
 * export function register() {
 *   initAnalytics({ writeKey: process.env.TRIBUTARY_WRITE_KEY });
 * }
 */
export async function onRequestError(
  error: unknown,
  request: ErroredRequest,
  context: RequestErrorContext,
): Promise<void> {
  try {
    if (isBuildPhase() || isControlFlow(error)) return;
    const settings = sharedRequestOptions();
    const track = settings.trackErrors ?? true;
    if (track === false) return;
    const { event, shouldRecord, properties } = track === true ? {} : track;
    if (!(shouldRecord?.(error, context) ?? isServerError(error))) return;
    const scope = scopeFromRequest(
      { url: request.path, headers: request.headers },
      { ...settings, anonymousIdCookie: false },
      undefined,
    );
    if (!hasIdentity(scope)) return;
    const client = acquireClient(core.Analytics);
    new RequestAnalytics(client, scope).track({
      event: event ?? DEFAULT_ERROR_EVENT,
      properties:
        properties?.(error, request, context) ??
        errorEventProperties(error, { method: request.method, route: context.routePath }),
    });
    const timeout = settings.flushTimeout ?? DEFAULT_FLUSH_TIMEOUT;
    const { pending } = deliverAfterResponse(() => client.flush({ timeout }));
    if (pending !== undefined) await pending;
  } catch {
    // Recording an error must never add one.
  }
}

/** `redirect()`, `notFound()` and dynamic-rendering bail-outs carry a `NEXT_…` digest. */
function isControlFlow(error: unknown): boolean {
  const digest = (error as { digest?: unknown } | null)?.digest;
  return typeof digest === 'string' && /^(NEXT_|BAILOUT_TO_CLIENT_SIDE_RENDERING)/.test(digest);
}
