import type { ExecutionContext, LoggerService } from '@nestjs/common';
import {
  createRequestScope,
  toId,
  type AdapterRequestScope,
  type RequestFacts,
  type TrustProxy,
} from '@tributary/core/adapter';
import type { AnalyticsModuleSettings, AnalyticsRequest } from './options.js';

/** The parts of Express's `Request` and Fastify's `FastifyRequest` the scope reads. */
interface PlatformRequest {
  headers: RequestFacts['headers'];
  url?: string;
  originalUrl?: string;
  protocol?: string;
  socket?: { remoteAddress?: string };
  /** Fastify: the Node request. */
  raw?: { socket?: { remoteAddress?: string } };
  /** Fastify with `trustProxy`: the socket address, then the trusted chain, nearest first. */
  ips?: string[];
  /** Express: the application, whose `trust proxy fn` is the compiled trust rule. */
  app?: { get?: (name: string) => unknown };
  route?: { path?: unknown };
  routeOptions?: { url?: unknown };
}

/** The parts of Express's `Response` and Fastify's `FastifyReply` used to set a cookie. */
interface PlatformResponse {
  append?: (name: string, value: string) => unknown;
  header?: (name: string, value: string) => unknown;
  headersSent?: boolean;
  sent?: boolean;
}

/**
 * The request scope of one request, on Express or Fastify (or a gateway's handshake): its
 * context, its anonymous id (created and set as a cookie when missing and `response` can take
 * one), and its user id, resolved lazily (when a message is built, so after guards). Cached per
 * request by `executionScope`.
 */
export function requestScope(
  request: AnalyticsRequest,
  response: unknown,
  executionContext: ExecutionContext,
  options: AnalyticsModuleSettings,
  logger: Pick<LoggerService, 'warn'>,
): AdapterRequestScope {
  const req = request as PlatformRequest;
  const { resolveUser, resolveAnonymousId, context } = options;
  let resolved: string | undefined;
  if (resolveAnonymousId !== undefined) {
    try {
      resolved = resolveAnonymousId(request, executionContext) ?? undefined;
    } catch (error) {
      logger.warn(`resolveAnonymousId threw: ${String(error)}`);
    }
  }
  const ownId = resolved !== undefined && resolved.trim() !== '';
  const scope = createRequestScope(
    {
      headers: req.headers,
      url: req.originalUrl ?? req.url ?? '/',
      protocol: req.protocol,
      socketAddress: req.socket?.remoteAddress ?? req.raw?.socket?.remoteAddress,
      setCookie: cookieSetter(response),
    },
    {
      context,
      clientIp: { trustProxy: trustRule(req) },
      // An id from your resolver wins and nothing is minted; when it finds none, the default
      // policy (cookie, then minting) applies, so anonymous visitors are still recorded.
      anonymousId: ownId ? { cookie: false, mint: false } : options.anonymousId,
      resolveUser: (): unknown =>
        resolveUser === undefined ? defaultUser(request) : resolveUser(request, executionContext),
      onResolveUserError: (error) => void logger.warn(`resolveUser threw: ${String(error)}`),
    },
  );
  if (ownId) scope.anonymousId = resolved;
  if (context !== false && context?.route !== false) {
    const route = routeTemplate(req);
    if (route !== undefined && scope.context !== undefined) scope.context.route = route;
  }
  return scope;
}

/** The matched route template: Express keeps it on `req.route`, Fastify on `request.routeOptions`. */
export function routeTemplate(request: object): string | undefined {
  const req = request as PlatformRequest;
  const route = req.route?.path ?? req.routeOptions?.url;
  return typeof route === 'string' ? route : undefined;
}

// The platform's own trust rule, so `context.ip` agrees with `request.ip`.
function trustRule(req: PlatformRequest): TrustProxy | undefined {
  if (req.raw !== undefined) {
    const trusted = (req.ips?.length ?? 1) - 1;
    return trusted;
  }
  return req.app?.get?.('trust proxy fn') as TrustProxy | undefined;
}

function cookieSetter(response: unknown): ((cookie: string) => void) | undefined {
  const res = response as PlatformResponse | undefined;
  if (res === undefined || res === null) return undefined;
  if (typeof res.append === 'function' && res.headersSent !== true)
    return (cookie) => void res.append?.('Set-Cookie', cookie);
  if (typeof res.header === 'function' && res.sent !== true)
    return (cookie) => void res.header?.('set-cookie', cookie);
  return undefined;
}

function defaultUser(request: AnalyticsRequest): unknown {
  const user: unknown = request.user;
  return typeof user === 'object' && user !== null ? (user as { id?: unknown }).id : undefined;
}

export { toId };
