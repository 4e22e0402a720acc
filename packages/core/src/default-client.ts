import { Analytics, type FlushOptions } from './analytics.js';
import { AnalyticsError } from './errors.js';
import type { FlushReport } from './delivery/delivery.js';
import type { AnalyticsStats } from './delivery/stats.js';
import type { Logger } from './logger.js';
import type { MessageContext } from './messages/types.js';
import type { AnalyticsOptions, ErrorHandler } from './options.js';
import type { BeforeSend } from './messages/before-send.js';
import type { PrivacyOptions } from './privacy/privacy-options.js';

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
    | 'stats'
    | 'withContext'
    | 'withScope'
  > & {
    /** Python's `shutdown()`: flush, then close. Same as `close()`. */
    shutdown(options?: FlushOptions): Promise<FlushReport>;
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
export function createDefaultClient(): DefaultClient {
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
  const get = (): Analytics => (client ??= new Analytics(toOptions(settings)));
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
    if (client === undefined) return;
    void client.close();
    client = undefined;
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
    flush: (options?: FlushOptions) => client?.flush(options) ?? Promise.resolve(EMPTY),
    close: (options?: FlushOptions) => {
      const closing = client?.close(options) ?? Promise.resolve(EMPTY);
      client = undefined;
      return closing;
    },
    shutdown: (options?: FlushOptions) => target.close(options),
    stats: (): AnalyticsStats => get().stats(),
    withContext: <R>(context: MessageContext, fn: () => R): R => get().withContext(context, fn),
    withScope: ((scope, fn) => get().withScope(scope, fn)) as Analytics['withScope'],
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
  return target as unknown as DefaultClient;
}

const EMPTY: FlushReport = { delivered: 0, failed: 0, pending: 0 };

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
