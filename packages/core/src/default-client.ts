import type { Analytics, FlushOptions } from './analytics.js';
import { AnalyticsError } from './errors.js';
import type { FlushReport } from './delivery/delivery.js';
import type { AnalyticsStats } from './delivery/stats.js';
import type { Logger } from './logger.js';
import type { MessageContext } from './messages/types.js';
import { didYouMean } from './did-you-mean.js';
import type { BeforeSend } from './messages/before-send.js';
import { FOREIGN_OPTION_NAMES, type AnalyticsOptions, type ErrorHandler } from './options.js';
import type { PrivacyOptions } from './privacy/privacy-options.js';
import { VERSION } from './version.js';

/** Settings of the module-wide default client, named as in Python's module (camelCased). */
export interface DefaultClientSettings {
  writeKey: string | undefined;
  host: string | undefined;
  debug: boolean;
  onError: ErrorHandler | undefined;
  send: boolean;
  syncMode: boolean;
  gzip: boolean;
  maxQueueSize: number | undefined;
  maxRetries: number | undefined;
  timeout: number | undefined;
  flushAt: number | undefined;
  flushInterval: number | undefined;
  logger: Logger | undefined;
  oauthClientId: string | undefined;
  oauthClientKey: string | undefined;
  oauthKeyId: string | undefined;
  oauthAuthServer: string | undefined;
  oauthScope: string | undefined;
  proxy: string | false | undefined;
  beforeSend: BeforeSend | readonly BeforeSend[] | undefined;
  privacy: PrivacyOptions | undefined;
}

/** The default client: settings plus the client's methods, created lazily on first call. */
export type DefaultClient = DefaultClientSettings &
  Pick<
    Analytics,
    | 'identify'
    | 'track'
    | 'page'
    | 'screen'
    | 'group'
    | 'alias'
    | 'flush'
    | 'close'
    | 'closeAndFlush'
    | 'stats'
    | 'withContext'
    | 'withScope'
  > & {
    /** Python's `shutdown()`: flush, then close. Same as `close()`. */
    shutdown(options?: FlushOptions): Promise<FlushReport>;
    /** The package version, as Python's `analytics.VERSION`. */
    readonly VERSION: string;
  };

const SETTINGS: (keyof DefaultClientSettings)[] = [
  'writeKey',
  'host',
  'debug',
  'onError',
  'send',
  'syncMode',
  'gzip',
  'maxQueueSize',
  'maxRetries',
  'timeout',
  'flushAt',
  'flushInterval',
  'logger',
  'oauthClientId',
  'oauthClientKey',
  'oauthKeyId',
  'oauthAuthServer',
  'oauthScope',
  'proxy',
  'beforeSend',
  'privacy',
];

/**
 * Builds a module-wide client like Python's `analytics` module. Changing a setting after the
 * client exists applies it: the current client is closed (delivering what it holds with the
 * settings it was created with) and the next call creates a new one.
 */
export function createDefaultClientOf(
  Client: new (options: AnalyticsOptions) => Analytics,
): DefaultClient {
  const settings: DefaultClientSettings = {
    writeKey: undefined,
    host: undefined,
    debug: false,
    onError: undefined,
    send: true,
    syncMode: false,
    gzip: false,
    maxQueueSize: undefined,
    maxRetries: undefined,
    timeout: undefined,
    flushAt: undefined,
    flushInterval: undefined,
    logger: undefined,
    oauthClientId: undefined,
    oauthClientKey: undefined,
    oauthKeyId: undefined,
    oauthAuthServer: undefined,
    oauthScope: undefined,
    proxy: undefined,
    beforeSend: undefined,
    privacy: undefined,
  };
  let client: Analytics | undefined;
  // Clients retired by a setting change still deliver what they accepted: flush(), close() and
  // the exit delivery cover them until their own close has settled (#16).
  const retired = new Set<Analytics>();
  const get = (): Analytics => (client ??= new Client(toOptions(settings)));
  const every = (): Analytics[] => (client === undefined ? [...retired] : [...retired, client]);
  /** A missing write key on the default client is reported like any rejected call, not thrown. */
  const callSafely = (getClient: () => Analytics, call: (c: Analytics) => boolean): boolean => {
    let c: Analytics;
    try {
      c = getClient();
    } catch (error) {
      const failure =
        error instanceof AnalyticsError
          ? error
          : new AnalyticsError('INVALID_OPTIONS', String(error));
      (settings.logger ?? console).error(`[tributary] ${failure.message}`);
      try {
        settings.onError?.(failure, []);
      } catch {
        // A throwing handler must not reach the caller.
      }
      return false;
    }
    return call(c);
  };
  const retire = () => {
    const old = client;
    if (old === undefined) return;
    client = undefined;
    retired.add(old);
    void old.close().finally(() => retired.delete(old));
  };
  const flushAll = async (options?: FlushOptions) =>
    sum(await Promise.all(every().map((c) => c.flush(options))));
  const closeAll = async (options?: FlushOptions) => {
    const current = client;
    client = undefined;
    // A retired client is already closing; its report counts what it held at retirement, some of
    // which an earlier flush() may have counted. Its flush() counts only what is still held now.
    const reports = [...retired].map(async (c) => {
      const [report] = await Promise.all([c.flush(), c.close(options)]);
      return report;
    });
    if (current !== undefined) reports.push(current.close(options));
    return sum(await Promise.all(reports));
  };
  const target = {
    identify: (...args: unknown[]) =>
      callSafely(get, (c) => (c.identify as (...a: unknown[]) => boolean)(...args)),
    track: (...args: unknown[]) =>
      callSafely(get, (c) => (c.track as (...a: unknown[]) => boolean)(...args)),
    page: (...args: unknown[]) =>
      callSafely(get, (c) => (c.page as (...a: unknown[]) => boolean)(...args)),
    screen: (...args: unknown[]) =>
      callSafely(get, (c) => (c.screen as (...a: unknown[]) => boolean)(...args)),
    group: (...args: unknown[]) =>
      callSafely(get, (c) => (c.group as (...a: unknown[]) => boolean)(...args)),
    alias: (...args: unknown[]) =>
      callSafely(get, (c) => (c.alias as (...a: unknown[]) => boolean)(...args)),
    flush: flushAll,
    close: closeAll,
    closeAndFlush: closeAll,
    shutdown: closeAll,
    stats: (): AnalyticsStats => get().stats(),
    withContext: <R>(context: MessageContext, fn: () => R): R => get().withContext(context, fn),
    withScope: ((scope, fn) => get().withScope(scope, fn)) as Analytics['withScope'],
    VERSION,
    [COMMONJS]: (namedExports: Record<string, unknown>) =>
      commonJsModule(defaultClient as unknown as DefaultClient, namedExports),
  };
  for (const key of SETTINGS) {
    Object.defineProperty(target, key, {
      enumerable: true,
      get: () => settings[key],
      set: (value: never) => {
        if (settings[key] === value) return;
        settings[key] = value;
        retire();
      },
    });
  }
  // A write to a name the client does not have is a typo or another library's idiom
  // (`analytics.write_key = ...`): refused, never stored unseen. Existing members stay writable,
  // so tests can still replace a method with a spy.
  const defaultClient = new Proxy(target, {
    set(object, key, value, receiver) {
      if (key in object) return Reflect.set(object, key, value, receiver);
      throw unknownSetting(key);
    },
    defineProperty(object, key, descriptor) {
      if (key in object) return Reflect.defineProperty(object, key, descriptor);
      throw unknownSetting(key);
    },
  });
  return defaultClient as unknown as DefaultClient;
}

/**
 * The process's one default client for `runtime` ('node' or 'edge'), shared by the ESM and
 * CommonJS builds and by duplicate installs: two default clients would mean two queues and two
 * exit hooks in one process (#16).
 */
export function sharedDefaultClient(
  Client: new (options: AnalyticsOptions) => Analytics,
  runtime: 'node' | 'edge',
): DefaultClient {
  const slot = Symbol.for(`tributary.defaultClient.${runtime}`);
  const global = globalThis as Record<symbol, DefaultClient | undefined>;
  return (global[slot] ??= createDefaultClientOf(Client));
}

/**
 * What `require('@tributary/core')` returns: the default client itself, so the Python-style
 * module use works from CommonJS (`analytics.writeKey = ...; analytics.track(...)`), with every
 * named export readable on it and `default` pointing back at it.
 */
export function commonJsModule(
  client: DefaultClient,
  namedExports: Record<string, unknown>,
): DefaultClient {
  return new Proxy(client, {
    get(object, key, receiver) {
      if (key === 'default') return client;
      if (key === '__esModule') return true;
      if (key in object) return Reflect.get(object, key, receiver) as unknown;
      return namedExports[key as string];
    },
    has: (object, key) => key in object || key in namedExports,
    set: (_object, key, value) => Reflect.set(client, key, value),
  });
}

/** The CommonJS builds' footer calls this to make `module.exports` the default client. */
const COMMONJS = Symbol.for('tributary.commonjs');

function unknownSetting(key: string | symbol): AnalyticsError {
  const name = String(key);
  const suggestion = didYouMean(name, SETTINGS, {
    ...FOREIGN_OPTION_NAMES,
    disable: 'send = false',
  });
  return new AnalyticsError(
    'INVALID_OPTIONS',
    `Invalid Analytics options:\n- "${name}" is not a setting of the default client${suggestion === undefined ? '' : `; did you mean ${suggestion}?`} The settings are ${SETTINGS.join(', ')}`,
  );
}

function sum(reports: FlushReport[]): FlushReport {
  const total: FlushReport = { delivered: 0, failed: 0, pending: 0 };
  for (const r of reports) {
    total.delivered += r.delivered;
    total.failed += r.failed;
    total.pending += r.pending;
  }
  return total;
}

function toOptions(s: DefaultClientSettings): AnalyticsOptions {
  const options: AnalyticsOptions = {
    debug: s.debug,
    send: s.send,
    syncMode: s.syncMode,
    gzip: s.gzip,
  };
  if (s.writeKey !== undefined) options.writeKey = s.writeKey;
  if (s.host !== undefined) options.host = s.host;
  if (s.onError !== undefined) options.onError = s.onError;
  if (s.maxQueueSize !== undefined) options.maxQueueSize = s.maxQueueSize;
  if (s.maxRetries !== undefined) options.maxRetries = s.maxRetries;
  if (s.timeout !== undefined) options.timeout = s.timeout;
  if (s.flushAt !== undefined) options.flushAt = s.flushAt;
  if (s.flushInterval !== undefined) options.flushInterval = s.flushInterval;
  if (s.logger !== undefined) options.logger = s.logger;
  if (s.proxy !== undefined) options.proxy = s.proxy;
  if (s.beforeSend !== undefined) options.beforeSend = s.beforeSend;
  if (s.privacy !== undefined) options.privacy = s.privacy;
  if (
    s.oauthClientId !== undefined ||
    s.oauthClientKey !== undefined ||
    s.oauthKeyId !== undefined
  ) {
    options.oauth = {
      clientId: s.oauthClientId ?? '',
      clientKey: s.oauthClientKey ?? '',
      keyId: s.oauthKeyId ?? '',
      ...(s.oauthAuthServer !== undefined ? { authServer: s.oauthAuthServer } : {}),
      ...(s.oauthScope !== undefined ? { scope: s.oauthScope } : {}),
    };
  }
  return options;
}
