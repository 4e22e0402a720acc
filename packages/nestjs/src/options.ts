import { Logger as NestLogger, type ExecutionContext } from '@nestjs/common';
import {
  Analytics,
  AnalyticsError,
  type AnalyticsOptions,
  type Id,
  type Logger,
} from '@tributary/core';

/** Milliseconds `onApplicationShutdown` waits for delivery by default. */
export const DEFAULT_SHUTDOWN_TIMEOUT = 5_000;

/**
 * The HTTP request as the interceptor sees it: Express's `Request` or Fastify's `FastifyRequest`.
 * Only `headers` is relied on; the rest is read when present.
 */
export interface AnalyticsRequest {
  headers: Record<string, string | string[] | undefined>;
  /** The platform's client ip: Express `trust proxy` and Fastify `trustProxy` aware. */
  ip?: string;
  /** What an authentication guard attached (Passport sets `request.user`). */
  user?: any;
  [key: string]: any;
}

/** Which request facts the interceptor puts into each message's `context`. Each defaults to `true`. */
export interface RequestContextFields {
  /** `context.ip` from `request.ip`, which honours the platform's trust-proxy setting. Defaults to `true`. */
  ip?: boolean | undefined;
  /** `context.userAgent` from the User-Agent header. Defaults to `true`. */
  userAgent?: boolean | undefined;
  /** `context.locale`: the highest-weighted Accept-Language tag. Defaults to `true`. */
  locale?: boolean | undefined;
  /** `context.page.{url,path,search,referrer}`. Defaults to `true`. */
  page?: boolean | undefined;
  /** `context.requestId` from X-Request-Id, or a random UUID per request. Defaults to `true`. */
  requestId?: boolean | undefined;
  /** `context.route`: the matched route template, such as `/products/:id`. Defaults to `true`. */
  route?: boolean | undefined;
}

/** How the module reads requests and shuts down: the options that are not the client's. */
export interface AnalyticsModuleSettings {
  /** Request facts copied into `context`, or `false` for none. Defaults to all of them. */
  context?: RequestContextFields | false | undefined;
  /**
   * The user id of the current request, read lazily when a message is built (so after guards).
   * Defaults to `request.user?.id`.
   */
  resolveUser?: (request: AnalyticsRequest, context: ExecutionContext) => Id | null | undefined;
  /**
   * The anonymous id of the current request. Defaults to analytics.js's `ajs_anonymous_id` cookie,
   * so server events join the browser's.
   */
  resolveAnonymousId?: (
    request: AnalyticsRequest,
    context: ExecutionContext,
  ) => string | null | undefined;
  /** Milliseconds `onApplicationShutdown` waits for queued events to be delivered. Defaults to 5000. */
  shutdownTimeout?: number | undefined;
}

/** Bring your own client: the module then takes no client options. */
export interface AnalyticsModuleClientOption {
  /**
   * A client you created yourself. On shutdown the module flushes it but does not close it, since
   * you own it. Defaults to a client built from the other options.
   */
  client: Analytics<any>;
}

/**
 * Options of `AnalyticsModule.forRoot()`: the core client options (`writeKey`, `host`, `flushAt`,
 * … as `AnalyticsOptions` in `@tributary/core` documents them), or `client` to bring an instance,
 * plus {@link AnalyticsModuleSettings}.
 */
export type AnalyticsModuleOptions = AnalyticsModuleSettings &
  (
    | (AnalyticsOptions & { client?: undefined })
    | (AnalyticsModuleClientOption & { [K in keyof AnalyticsOptions]?: undefined })
  );

const ADAPTER_KEYS = [
  'client',
  'context',
  'resolveUser',
  'resolveAnonymousId',
  'shutdownTimeout',
] as const;
const CONTEXT_FIELDS = ['ip', 'userAgent', 'locale', 'page', 'requestId', 'route'] as const;

/** Clients this package created, and therefore closes on shutdown. */
const created = new WeakSet<object>();

/** Whether the module created `client` (and so owns its lifecycle). */
export function isOwnClient(client: object): boolean {
  return created.has(client);
}

/**
 * Checks every option and creates the client. Throws one `AnalyticsError` (`INVALID_OPTIONS`)
 * listing every problem, the module's and the core client's together.
 */
export function createAnalyticsClient(options: AnalyticsModuleOptions): Analytics<any> {
  if (typeof options !== 'object' || options === null) {
    throw invalid([
      `the options must be an object, received ${options === null ? 'null' : typeof options}`,
    ]);
  }
  const problems = checkModuleOptions(options);
  const { client, ...rest } = options;
  const core: Record<string, unknown> = { ...rest };
  for (const key of ADAPTER_KEYS) delete core[key];
  if (client !== undefined) {
    if (
      typeof client !== 'object' ||
      client === null ||
      typeof (client as { track?: unknown }).track !== 'function'
    ) {
      problems.push(`"client" must be an Analytics instance, received ${describe(client)}`);
    }
    const extra = Object.keys(core).filter((key) => core[key] !== undefined);
    if (extra.length > 0) {
      problems.push(
        `"client" cannot be combined with client options (${extra.map((k) => `"${k}"`).join(', ')}); configure the client you pass instead`,
      );
    }
    if (problems.length > 0) throw invalid(problems);
    return client;
  }
  let analytics: Analytics<any> | undefined;
  try {
    analytics = new Analytics({
      ...(core as AnalyticsOptions),
      logger: (core.logger as Logger | undefined) ?? nestLogger(),
    });
  } catch (error) {
    if (!(error instanceof AnalyticsError) || error.code !== 'INVALID_OPTIONS') throw error;
    // Core lists its problems one per line ("- ..."); merge them into our single report.
    const listed = error.message
      .split('\n')
      .filter((line) => line.startsWith('- '))
      .map((line) => line.slice(2));
    problems.unshift(...(listed.length > 0 ? listed : [error.message]));
  }
  if (problems.length > 0 || analytics === undefined) {
    void analytics?.close({ timeout: 0 });
    throw invalid(problems);
  }
  created.add(analytics);
  return analytics;
}

function checkModuleOptions(options: AnalyticsModuleOptions): string[] {
  const problems: string[] = [];
  for (const name of ['resolveUser', 'resolveAnonymousId'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      problems.push(
        `"${name}" must be a function (request, executionContext) => id, received ${describe(options[name])}`,
      );
    }
  }
  const timeout = options.shutdownTimeout;
  if (
    timeout !== undefined &&
    (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout < 0)
  ) {
    problems.push(
      `"shutdownTimeout" must be a number of milliseconds >= 0, received ${describe(timeout)}`,
    );
  }
  const context = options.context;
  if (context !== undefined && context !== false) {
    if (typeof context !== 'object' || context === null || Array.isArray(context)) {
      problems.push(
        `"context" must be false or an object of booleans, received ${describe(context)}`,
      );
    } else {
      for (const [key, value] of Object.entries(context)) {
        if (!(CONTEXT_FIELDS as readonly string[]).includes(key)) {
          problems.push(
            `"context.${key}" is not a context field; use one of ${CONTEXT_FIELDS.join(', ')}`,
          );
        } else if (value !== undefined && typeof value !== 'boolean') {
          problems.push(`"context.${key}" must be a boolean, received ${describe(value)}`);
        }
      }
    }
  }
  return problems;
}

function invalid(problems: string[]): AnalyticsError {
  return new AnalyticsError(
    'INVALID_OPTIONS',
    `Invalid AnalyticsModule options:\n- ${problems.join('\n- ')}`,
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return Array.isArray(value) ? 'an array' : typeof value;
}

/** Nest's `Logger` under the "Analytics" context; Nest calls `info` `log`. */
function nestLogger(): Logger {
  const logger = new NestLogger('Analytics');
  return {
    debug: (message) => logger.debug(message),
    info: (message) => logger.log(message),
    warn: (message) => logger.warn(message),
    error: (message) => logger.error(message),
  };
}
