import type * as Core from '@tributary/core';
import type { Id, MessageContext, RequestScope } from '@tributary/core';
import { resolveClientIp, type ClientIpOptions, type HeaderReader } from './client-ip.js';

/** The request-context helpers every wrapper needs, from core's Node or edge build. */
export type ContextCore = Pick<typeof Core, 'requestContextFromFetch' | 'readAnonymousIdCookie'>;

/** Request header the proxy sets so Server Components and Actions know the page URL. */
export const PAGE_URL_HEADER = 'x-tributary-url';

/**
 * A request's scope: context from the URL and headers (never cookies or authorization), the
 * `ajs_anonymous_id` cookie and the user id.
 */
export function scopeFromRequest(
  core: ContextCore,
  request: { url: string; headers: HeaderReader },
  options: ClientIpOptions,
  userId: Id | undefined,
): RequestScope {
  const context: MessageContext = core.requestContextFromFetch(
    { url: pageUrl(request.url, request.headers.get('host')), headers: request.headers },
    { ip: resolveClientIp(request.headers, options) },
  );
  const scope: RequestScope = { context };
  const anonymousId = core.readAnonymousIdCookie(request.headers.get('cookie'));
  if (anonymousId !== undefined) scope.anonymousId = anonymousId;
  if (userId !== undefined && userId !== '') {
    const id = typeof userId === 'bigint' ? String(userId) : userId;
    scope.userId = () => id;
  }
  return scope;
}

/**
 * The page URL as the browser asked for it: the Host header's host (Next rewrites a loopback
 * host to `localhost` in `request.url`), without the `_rsc` cache-busting parameter.
 */
export function pageUrl(url: string, host?: string | null): string {
  try {
    const parsed = new URL(url);
    if (parsed.searchParams.has('_rsc')) parsed.searchParams.delete('_rsc');
    if (host !== undefined && host !== null && /^[a-z0-9.:[\]-]+$/i.test(host)) parsed.host = host;
    return parsed.href;
  } catch {
    return url;
  }
}

/** Runs a user resolver; a throw or rejection means "anonymous", never an error in the app. */
export async function resolveUserSafely<TRequest>(
  resolve:
    ((request: TRequest) => Id | undefined | null | Promise<Id | undefined | null>) | undefined,
  request: TRequest,
): Promise<Id | undefined> {
  if (resolve === undefined) return undefined;
  try {
    return (await resolve(request)) ?? undefined;
  } catch (error) {
    console.warn(
      `[tributary] resolveUser threw: ${String(error)}; the request is tracked as anonymous`,
    );
    return undefined;
  }
}
