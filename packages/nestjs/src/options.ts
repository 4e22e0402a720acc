import { Logger as NestLogger, type ExecutionContext } from '@nestjs/common';
import {
  Analytics,
  AnalyticsError,
  type AnalyticsOptions,
  type Id,
  type Logger,
  type Properties,
} from '@tributary/core';
import {
  DEFAULT_SHUTDOWN_TIMEOUT,
  type AnonymousIdOptions,
  type ContextFields,
} from '@tributary/core/adapter';

export { DEFAULT_SHUTDOWN_TIMEOUT };

/** An `Analytics` client of any tracking plan. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a tracking plan appears in both argument and return positions, so only `any` accepts every plan.
export type AnyAnalytics = Analytics<any>;

/**
 * The HTTP request as the interceptor sees it: Express's `Request` or Fastify's `FastifyRequest`.
 * Only `headers` is relied on; the rest is read when present.
 */
export interface AnalyticsRequest {
  headers: Record<string, string | string[] | undefined>;
  /** The platform's client ip: Express `trust proxy` and Fastify `trustProxy` aware. */
  ip?: string;
  /** What an authentication guard attached (Passport sets `request.user`). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Passport's `request.user` is untyped; apps read it as their own shape.
  user?: any;
  [key: string]: unknown;
}

/** Which request facts the interceptor puts into each message's `context`. Each defaults to `true`. */
export interface RequestContextFields extends ContextFields {
  /** `context.route`: the matched route template, such as `/products/:id`. Defaults to `true`. */
  route?: boolean | undefined;
}

/** Options of `trackRequests` and `trackErrors`: the event name. */
export interface AutomaticEventOptions {
  /** The event name. Defaults to `'Request Completed'` for requests and `'Server Error'` for errors. */
  event?: string | undefined;
}

/** Options of `trackErrors`. */
export interface TrackErrorsOptions extends AutomaticEventOptions {
  /** Which errors to record. Defaults to errors without a status or with a status of 500 or more. */
  shouldRecord?: ((error: unknown) => boolean) | undefined;
  /** The event's properties. Defaults to `name`, `message` (200 characters at most), `status`, `method`, `route`. */
  properties?: ((error: unknown, request: AnalyticsRequest) => Properties) | undefined;
}

/** How the module reads requests and shuts down: the options that are not the client's. */
export interface AnalyticsModuleSettings {
  /** Request facts copied into `context`, or `false` for none. Defaults to all of them. */
  context?: RequestContextFields | false | undefined;
  /**
   * The user id of the current request, read lazily when a message is built (so after guards).
   * Defaults to `request.user?.id`.
   */
  resolveUser?:
    ((request: AnalyticsRequest, context: ExecutionContext) => Id | null | undefined) | undefined;
  /**
   * The anonymous id of the current request. Defaults to analytics.js's `ajs_anonymous_id` cookie,
   * so server events join the browser's.
   */
  resolveAnonymousId?:
    | ((request: AnalyticsRequest, context: ExecutionContext) => string | null | undefined)
    | undefined;
  /**
   * Where to find the anonymous id when `resolveAnonymousId` is not given, and whether to create
   * one (stored in analytics.js's `ajs_anonymous_id` cookie) for a visitor without one.
   * Defaults to `{ cookie: true, mint: {} }`.
   */
  anonymousId?: AnonymousIdOptions | undefined;
  /** Record one event per completed HTTP request (method, route template, status, duration). Defaults to `false`. */
  trackRequests?: boolean | AutomaticEventOptions | undefined;
  /**
   * Record an event for each server error an HTTP request ends with, thrown anywhere in Nest's
   * pipeline (guards, pipes, interceptors, handlers), through a global exception filter that then
   * hands the error to Nest's default handling. Defaults to `true`.
   */
  trackErrors?: boolean | TrackErrorsOptions | undefined;
  /** Milliseconds `onApplicationShutdown` waits for queued events to be delivered. Defaults to 10000. */
  shutdownTimeout?: number | undefined;
}

/** Bring your own client: the module then takes no client options. */
export interface AnalyticsModuleClientOption {
  /**
   * A client you created yourself. On shutdown the module flushes it but does not close it, since
   * you own it. Defaults to a client built from the other options.
   */
  client: AnyAnalytics;
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
  'anonymousId',
  'trackRequests',
  'trackErrors',
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
export function createAnalyticsClient(options: AnalyticsModuleOptions): AnyAnalytics {
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
  let analytics: AnyAnalytics | undefined;
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
  for (const name of ['trackRequests', 'trackErrors', 'anonymousId'] as const) {
    const value: unknown = options[name];
    const booleanAllowed = name !== 'anonymousId';
    if (
      value !== undefined &&
      !(booleanAllowed && typeof value === 'boolean') &&
      (typeof value !== 'object' || value === null || Array.isArray(value))
    ) {
      problems.push(
        `"${name}" must be ${booleanAllowed ? 'a boolean or ' : ''}an options object, received ${describe(value)}`,
      );
    }
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
