import type { ExecutionContext, LoggerService } from '@nestjs/common';
import {
  createRequestScope,
  toId,
  type AdapterRequestScope,
  type RequestFacts,
  type RequestScopeOptions,
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
 * context, its anonymous id (created and set as a cookie when a call needs one and `response` can
 * still take it), and its user id, resolved lazily (when a message is built, so after guards).
 * Cached per request by `executionScope`. Nothing is read from the request until a call needs it.
 */
export function requestScope(
  request: AnalyticsRequest,
  response: unknown,
  executionContext: ExecutionContext,
  options: AnalyticsModuleSettings,
  logger: Pick<LoggerService, 'warn'>,
): AdapterRequestScope {
  const { resolveAnonymousId, context } = options;
  let resolved: string | undefined;
  if (resolveAnonymousId !== undefined) {
    try {
      resolved = resolveAnonymousId(request, executionContext) ?? undefined;
    } catch (error) {
      logger.warn(`resolveAnonymousId threw: ${String(error)}`);
    }
  }
  const ownId = resolved !== undefined && resolved.trim() !== '';
  const facts = new NestRequestFacts(
    request,
    response,
    executionContext,
    context !== false && context?.route !== false,
  );
  const scope = createRequestScope(facts, scopeOptions(options, logger, ownId));
  if (ownId) scope.anonymousId = resolved;
  return scope;
}

/**
 * The kit's request facts over an Express or Fastify request: one object of a fixed shape per
 * request, read only when a call needs them (no per-request closures).
 */
class NestRequestFacts implements RequestFacts {
  readonly request: AnalyticsRequest;
  readonly executionContext: ExecutionContext;
  readonly response: PlatformResponse | undefined;
  readonly setCookie: ((this: NestRequestFacts, header: string) => void) | undefined;
  readonly #withRoute: boolean;

  constructor(
    request: AnalyticsRequest,
    response: unknown,
    executionContext: ExecutionContext,
    withRoute: boolean,
  ) {
    this.request = request;
    this.executionContext = executionContext;
    this.#withRoute = withRoute;
    const res = response as PlatformResponse | undefined | null;
    this.response = res ?? undefined;
    // Only a response that can take a header makes minting possible (a gateway has none).
    this.setCookie =
      res === undefined || res === null
        ? undefined
        : typeof res.append === 'function' || typeof res.header === 'function'
          ? setCookieOnResponse
          : undefined;
  }

  get #req(): PlatformRequest {
    return this.request;
  }

  get headers(): RequestFacts['headers'] {
    return this.#req.headers;
  }

  get url(): string {
    return this.#req.originalUrl ?? this.#req.url ?? '/';
  }

  get protocol(): string | undefined {
    return this.#req.protocol;
  }

  get socketAddress(): string | undefined {
    const req = this.#req;
    return req.socket?.remoteAddress ?? req.raw?.socket?.remoteAddress;
  }

  get trustProxy(): TrustProxy | undefined {
    return trustRule(this.#req);
  }

  get route(): string | undefined {
    return this.#withRoute ? routeTemplate(this.request) : undefined;
  }
}

function setCookieOnResponse(this: NestRequestFacts, cookie: string): void {
  const res = this.response;
  if (res === undefined) return;
  // Once the response is on its way, the id still serves this request, without a cookie.
  if (typeof res.append === 'function') {
    if (res.headersSent !== true) res.append('Set-Cookie', cookie);
  } else if (typeof res.header === 'function' && res.sent !== true) {
    res.header('set-cookie', cookie);
  }
}

interface ScopeOptions {
  shared: RequestScopeOptions;
  ownId: RequestScopeOptions;
}

const scopeOptionsCache = new WeakMap<AnalyticsModuleSettings, ScopeOptions>();

// Built once per module settings: every request of the app shares them.
function scopeOptions(
  options: AnalyticsModuleSettings,
  logger: Pick<LoggerService, 'warn'>,
  ownId: boolean,
): RequestScopeOptions {
  let cached = scopeOptionsCache.get(options);
  if (cached === undefined) {
    const { resolveUser } = options;
    const shared: RequestScopeOptions = {
      context: options.context,
      anonymousId: options.anonymousId,
      resolveUser: (facts: RequestFacts): unknown => {
        const { request, executionContext } = facts as NestRequestFacts;
        return resolveUser === undefined
          ? defaultUser(request)
          : resolveUser(request, executionContext);
      },
      onResolveUserError: (error) => void logger.warn(`resolveUser threw: ${String(error)}`),
    };
    // An id from your resolver wins and nothing is minted; when it finds none, the default
    // policy (cookie, then minting) applies, so anonymous visitors are still recorded.
    cached = { shared, ownId: { ...shared, anonymousId: { cookie: false, mint: false } } };
    scopeOptionsCache.set(options, cached);
  }
  return ownId ? cached.ownId : cached.shared;
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

function defaultUser(request: AnalyticsRequest): unknown {
  const user: unknown = request.user;
  return typeof user === 'object' && user !== null ? (user as { id?: unknown }).id : undefined;
}

export { toId };
