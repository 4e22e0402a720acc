import type { Analytics, AnalyticsOptions } from '@tributary/core';
import { isBuildPhase, readEnv } from './env.js';
import type { NextAnalyticsOptions, NextRequestOptions } from './init.js';

/** `Analytics` from core's Node or edge build: the adapter's shared code works with either. */
export type AnalyticsConstructor = new (options: AnalyticsOptions) => Analytics;

/** Where the shared client lives; a symbol survives duplicate bundles and dev reloads. */
export const CLIENT_SYMBOL = Symbol.for('tributary.next.client');
const STATE_SYMBOL = Symbol.for('tributary.next.state');

interface SharedState {
  options: NextRequestOptions;
  /** Created from `initAnalytics()` rather than from the environment. */
  explicit: boolean;
}

type Globals = typeof globalThis & { [CLIENT_SYMBOL]?: Analytics; [STATE_SYMBOL]?: SharedState };
const g = globalThis as Globals;

let buildClient: Analytics | undefined;
let warned = false;

/**
 * The shared client: the one `initAnalytics` created, else one created now from the environment.
 * `options` given: `initAnalytics` semantics (replaces a client made from the environment; a second
 * explicit call returns the first client). Never throws: a bad configuration is logged and gives a
 * client that sends nothing.
 */
export function acquireClient(
  Ctor: AnalyticsConstructor,
  options?: NextAnalyticsOptions,
): Analytics {
  if (isBuildPhase()) return (buildClient ??= new Ctor({ send: false, logger: quietLogger }));
  const existing = g[CLIENT_SYMBOL];
  const state = g[STATE_SYMBOL];
  if (existing !== undefined && (options === undefined || state?.explicit === true))
    return existing;
  const {
    getClientIp,
    trustedProxyHops,
    flushTimeout,
    anonymousIdCookie,
    trackErrors,
    flushOnShutdown: _flushOnShutdown,
    flushAfterResponse: _flushAfterResponse,
    ...clientOptions
  } = (options ?? optionsFromEnv()) as NextAnalyticsOptions;
  const client = create(Ctor, clientOptions);
  if (existing !== undefined) void existing.close();
  g[CLIENT_SYMBOL] = client;
  g[STATE_SYMBOL] = {
    options: stripUndefined({
      getClientIp,
      trustedProxyHops,
      flushTimeout,
      anonymousIdCookie,
      trackErrors,
    }),
    explicit: options !== undefined,
  };
  return client;
}

/**
 * The shared client outside `next build`: {@link acquireClient} without the build-phase check,
 * for a caller that has just made it.
 */
export function sharedClient(Ctor: AnalyticsConstructor): Analytics {
  return g[CLIENT_SYMBOL] ?? acquireClient(Ctor);
}

const NO_OPTIONS: NextRequestOptions = Object.freeze({});

/** The request defaults given to `initAnalytics`, if any: the same object until they change. */
export function sharedRequestOptions(): NextRequestOptions {
  return g[STATE_SYMBOL]?.options ?? NO_OPTIONS;
}

/**
 * A wrapper's settings: `initAnalytics`'s request defaults under the wrapper's own `options`,
 * merged again only when the defaults change, so a request reuses one object.
 */
export function settingsWith<TOptions extends object>(
  options: TOptions,
): () => NextRequestOptions & TOptions {
  let shared: NextRequestOptions | undefined;
  let merged: (NextRequestOptions & TOptions) | undefined;
  return () => {
    const now = sharedRequestOptions();
    if (merged === undefined || now !== shared) {
      shared = now;
      merged = { ...now, ...options };
    }
    return merged;
  };
}

/** `TRIBUTARY_WRITE_KEY` (or `SEGMENT_WRITE_KEY`) and `TRIBUTARY_HOST`. */
export function optionsFromEnv(
  env: (name: string) => string | undefined = readEnv,
): AnalyticsOptions {
  const writeKey = env('TRIBUTARY_WRITE_KEY') ?? env('SEGMENT_WRITE_KEY');
  const host = env('TRIBUTARY_HOST');
  const options: AnalyticsOptions = {};
  if (writeKey !== undefined) options.writeKey = writeKey;
  if (host !== undefined) options.host = host;
  return options;
}

function create(Ctor: AnalyticsConstructor, options: AnalyticsOptions): Analytics {
  if (options.writeKey === undefined && options.send !== false) {
    warnOnce(
      '[tributary] no write key: set TRIBUTARY_WRITE_KEY or call initAnalytics({ writeKey }); events are not sent',
    );
    return new Ctor({ ...options, send: false });
  }
  try {
    return new Ctor(options);
  } catch (error) {
    warnOnce(`[tributary] ${(error as Error).message}; events are not sent`);
    return new Ctor({ send: false, logger: options.logger ?? console });
  }
}

function warnOnce(message: string): void {
  if (warned) return;
  warned = true;
  console.warn(message);
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };
