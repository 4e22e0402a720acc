import { parseClientKey } from './auth/client-key.js';
import { didYouMean } from './did-you-mean.js';
import { AnalyticsError, describeValue } from './errors.js';
import type { Transport } from './delivery/transport.js';
import type { Logger } from './logger.js';
import { resolveBeforeSend, type BeforeSend } from './messages/before-send.js';
import type { WireMessage } from './messages/types.js';
import {
  resolvePrivacy,
  type PrivacyOptions,
  type ResolvedPrivacy,
} from './privacy/privacy-options.js';
import { resolveProxy } from './runtime/proxy-options.js';
import {
  DEFAULT_CLAIM_AFTER,
  type OutboxOptions,
  type ResolvedOutboxOptions,
} from './outbox/outbox.js';

/** Segment's regional ingestion hosts. */
export const regions = {
  /** US (Oregon), Segment's default. */
  oregon: 'https://api.segment.io',
  /** EU (Dublin). EU workspaces that post to the US host see no error, and no events. */
  dublin: 'https://events.eu1.segmentapis.com',
} as const;

/** Segment's regional OAuth authorization servers. */
export const oauthRegions = {
  oregon: 'https://oauth2.segment.io',
  dublin: 'https://oauth2.eu1.segmentapis.com',
} as const;

export const DEFAULT_HOST = regions.oregon;
export const DEFAULT_PATH = '/v1/batch';
export const DEFAULT_FLUSH_AT = 100;
export const DEFAULT_FLUSH_INTERVAL = 500;
export const DEFAULT_MAX_QUEUE_SIZE = 10_000;
export const DEFAULT_MAX_QUEUE_BYTES = 32 * 1024 * 1024;
export const DEFAULT_MAX_RETRIES = 10;
export const DEFAULT_TIMEOUT = 15_000;
export const DEFAULT_MAX_CONCURRENT_REQUESTS = 4;
export const DEFAULT_RETRY_BASE_DELAY = 500;
export const DEFAULT_RETRY_MAX_DELAY = 60_000;
export const DEFAULT_CLOSE_TIMEOUT = 10_000;
/** Segment rejects a message over 32 KB. */
export const MAX_MESSAGE_BYTES = 32 * 1024;
/** Segment rejects a request over 500 KB, and drops the whole batch with it. */
export const MAX_BATCH_BYTES = 500_000;

/** OAuth 2.0 client-assertion settings (Segment's "OAuth for the Tracking API"). */
export interface OAuthOptions {
  /** The OAuth application's id (Python `oauth_client_id`). */
  clientId: string;
  /** The PKCS#8 PEM private key (Python `oauth_client_key`). */
  clientKey: string;
  /** The id of the uploaded public key (Python `oauth_key_id`). */
  keyId: string;
  /** Defaults to `https://oauth2.segment.io`; EU: `oauthRegions.dublin`. */
  authServer?: string | undefined;
  /** Defaults to `tracking_api:write`. */
  scope?: string | undefined;
  /** Retries for the token request. Defaults to the client's `maxRetries`. */
  maxRetries?: number | undefined;
}

/** What `onError` receives besides the error: the messages it concerns, as sent on the wire. */
export type ErrorHandler = (error: AnalyticsError, messages: WireMessage[]) => void;

/** Options of {@link Analytics}. */
export interface AnalyticsOptions {
  /** The source's write key. Required unless `send: false`. */
  writeKey?: string | undefined;
  /** Ingestion host; a path prefix is kept (`https://proxy.example.com/segment`). Defaults to `https://api.segment.io`. */
  host?: string | undefined;
  /** Defaults to `/v1/batch`. */
  path?: string | undefined;
  /** Messages per batch (Python `upload_size`). Defaults to 100. */
  flushAt?: number | undefined;
  /** Milliseconds from the first unsent message to its batch being sent (Python `upload_interval`). Defaults to 500. */
  flushInterval?: number | undefined;
  /** Messages held, queued plus in flight; the next one is rejected with `QUEUE_FULL`. Defaults to 10000. */
  maxQueueSize?: number | undefined;
  /** Serialized bytes held, queued plus in flight. Defaults to 32 MiB. */
  maxQueueBytes?: number | undefined;
  /** Compress request bodies (`Content-Encoding: gzip`). Defaults to `false`. */
  gzip?: boolean | undefined;
  /** Retries per batch after the first attempt. Defaults to 10. */
  maxRetries?: number | undefined;
  /** Milliseconds allowed for each request. Defaults to 15000. */
  timeout?: number | undefined;
  /** Requests in flight at once. Defaults to 4. */
  maxConcurrentRequests?: number | undefined;
  /** Base of the exponential backoff, in milliseconds. Defaults to 500. */
  retryBaseDelay?: number | undefined;
  /** Cap of one backoff wait, in milliseconds. Defaults to 60000. */
  retryMaxDelay?: number | undefined;
  /** `false` validates and normalizes every call but sends nothing (Python `send=False`). Defaults to `true`. */
  send?: boolean | undefined;
  /** Send each message as soon as it is accepted, one request per message; `flush()` awaits them. Defaults to `false`. */
  syncMode?: boolean | undefined;
  /** Log each step through `logger.debug`. Defaults to `false`. */
  debug?: boolean | undefined;
  /** Called for every message that is rejected or could not be delivered. */
  onError?: ErrorHandler | undefined;
  /** Defaults to `console`. */
  logger?: Logger | undefined;
  /** OAuth 2.0 instead of the write key's Basic auth. */
  oauth?: OAuthOptions | undefined;
  /** Replaces HTTP delivery: a proxy, another client, a test double. Defaults to undici on Node, `fetch` elsewhere. */
  transport?: Transport | undefined;
  /**
   * Serverless hosts' keep-alive hook (Vercel's and Cloudflare's `waitUntil`): when set, each burst
   * of calls is flushed after 50 ms of quiet (at most 500 ms after its first call) and the flush's
   * promise is handed to it.
   */
  waitUntil?: ((promise: Promise<unknown>) => void) | undefined;
  /** Deliver what is queued when the process reaches its natural end (`beforeExit`). Defaults to `true`. */
  flushOnExit?: boolean | undefined;
  /**
   * Keep accepted events on a lasting store until they are delivered or reported, so a crash or
   * a restart loses none: `{ type: 'file', dir }` or `{ type: 'redis', url, stream }` (needs
   * `ioredis`). Node.js only. Defaults to none: events are held in memory only.
   */
  outbox?: OutboxOptions | undefined;
  /**
   * The forward proxy for batches and OAuth token requests (Node.js only): a URL such as
   * `http://user:pass@proxy.internal:3128`, or `false` to ignore the environment. Hosts in
   * `NO_PROXY` still bypass it. Ignored when `transport` is set; on edge runtimes the platform's
   * `fetch` decides. Defaults to `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` (or their lower-case
   * forms) from the environment, as curl reads them.
   */
  proxy?: string | false | undefined;
  /**
   * Hooks that see each built message and return it (changed or not) or `null` to drop it, in
   * order; they run before the 32 KB check and serialization. A drop counts as `FILTERED` in
   * `stats().rejected`; a hook that throws drops the message and reports `BEFORE_SEND_FAILED`.
   * Defaults to none.
   */
  beforeSend?: BeforeSend | readonly BeforeSend[] | undefined;
  /**
   * Privacy rules for request facts in every message (ip, page URLs, referrer). Defaults to
   * redacting secret-carrying query parameters (`token`, `code`, `password`, …) and keeping the
   * ip and referrer.
   */
  privacy?: PrivacyOptions | undefined;
}

/**
 * Every option of {@link AnalyticsOptions}: the one list unknown keys are checked against. Typed
 * as a record of the interface's keys, so adding an option there without adding it here (or the
 * reverse) is a compile error.
 */
const OPTION_NAMES: Record<keyof AnalyticsOptions, true> = {
  writeKey: true,
  host: true,
  path: true,
  flushAt: true,
  flushInterval: true,
  maxQueueSize: true,
  maxQueueBytes: true,
  gzip: true,
  maxRetries: true,
  timeout: true,
  maxConcurrentRequests: true,
  retryBaseDelay: true,
  retryMaxDelay: true,
  send: true,
  syncMode: true,
  debug: true,
  onError: true,
  logger: true,
  oauth: true,
  transport: true,
  waitUntil: true,
  flushOnExit: true,
  outbox: true,
  proxy: true,
  beforeSend: true,
  privacy: true,
};

/** The option names, for messages and checks. */
export const KNOWN_OPTIONS = Object.keys(OPTION_NAMES) as (keyof AnalyticsOptions)[];

/** Names from `@segment/analytics-node`, `posthog-node` and Python's libraries, and ours. */
export const FOREIGN_OPTION_NAMES: Readonly<Record<string, string>> = {
  // @segment/analytics-node
  disable: 'send: false',
  httpRequestTimeout: 'timeout',
  maxEventsInBatch: 'flushAt',
  httpClient: 'transport',
  oauthSettings: 'oauth',
  // posthog-node
  disabled: 'send: false',
  requestTimeout: 'timeout',
  maxBatchSize: 'flushAt',
  fetch: 'transport',
  fetchRetryCount: 'maxRetries',
  fetchRetryDelay: 'retryBaseDelay',
  // analytics-python / posthog-python
  write_key: 'writeKey',
  upload_size: 'flushAt',
  upload_interval: 'flushInterval (in milliseconds)',
  flush_at: 'flushAt',
  flush_interval: 'flushInterval (in milliseconds)',
  on_error: 'onError',
  max_queue_size: 'maxQueueSize',
  max_retries: 'maxRetries',
  sync_mode: 'syncMode',
  log_handler: 'logger',
  oauth_client_id: 'oauth.clientId',
  oauth_client_key: 'oauth.clientKey',
  oauth_key_id: 'oauth.keyId',
  oauth_auth_server: 'oauth.authServer',
  oauth_scope: 'oauth.scope',
  proxies: 'proxy',
};

const OAUTH_OPTION_NAMES: Record<keyof OAuthOptions, true> = {
  clientId: true,
  clientKey: true,
  keyId: true,
  authServer: true,
  scope: true,
  maxRetries: true,
};

const OUTBOX_OPTION_NAMES = {
  file: ['type', 'dir', 'fsync'],
  redis: ['type', 'url', 'stream', 'group', 'claimAfter'],
} as const;

/** Pushes a problem for each key of `value` not in `known`, with the name most likely meant. */
function refuseUnknownKeys(
  prefix: string,
  value: object,
  known: readonly string[],
  problems: string[],
  aliases: Readonly<Record<string, string>> = {},
): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key) || (value as Record<string, unknown>)[key] === undefined) continue;
    const suggestion = didYouMean(key, known, aliases);
    problems.push(
      `"${prefix}${key}" is not an option${suggestion === undefined ? '' : `; did you mean ${prefix}${suggestion}?`}`,
    );
  }
}

/** Lowest `timeout`, in milliseconds: below it, the value was most likely meant in seconds. */
export const MIN_TIMEOUT = 100;
/** Lowest non-zero `flushInterval`, in milliseconds: below it, most likely meant in seconds. */
export const MIN_FLUSH_INTERVAL = 10;

/** Options with every default applied. */
export interface ResolvedOptions extends Required<
  Omit<
    AnalyticsOptions,
    | 'writeKey'
    | 'onError'
    | 'oauth'
    | 'transport'
    | 'waitUntil'
    | 'logger'
    | 'outbox'
    | 'proxy'
    | 'beforeSend'
    | 'privacy'
  >
> {
  writeKey: string;
  url: string;
  onError: ErrorHandler | undefined;
  oauth: Required<OAuthOptions> | undefined;
  transport: Transport | undefined;
  waitUntil: AnalyticsOptions['waitUntil'];
  logger: Logger;
  outbox: ResolvedOutboxOptions | undefined;
  /** A proxy URL, `false` for none, or `undefined` to read the environment. */
  proxy: string | false | undefined;
  beforeSend: readonly BeforeSend[];
  privacy: ResolvedPrivacy;
}

/** Applies defaults and checks every option, reporting all problems at once. */
export function resolveOptions(options: AnalyticsOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new AnalyticsError(
      'INVALID_OPTIONS',
      `Invalid Analytics options:\n- the options must be an object such as { writeKey: '…' }, received ${describeValue(options)}`,
    );
  }
  const problems: string[] = [];
  // A key set to undefined changes nothing (adapters spread their leftovers), so it passes.
  refuseUnknownKeys('', options, KNOWN_OPTIONS, problems, FOREIGN_OPTION_NAMES);
  if (typeof options.oauth === 'object' && options.oauth !== null) {
    refuseUnknownKeys('oauth.', options.oauth, Object.keys(OAUTH_OPTION_NAMES), problems, {
      client_id: 'clientId',
      client_key: 'clientKey',
      key_id: 'keyId',
      auth_server: 'authServer',
    });
  }
  const outboxKeys =
    typeof options.outbox === 'object' && options.outbox !== null
      ? OUTBOX_OPTION_NAMES[(options.outbox as { type?: unknown }).type as 'file' | 'redis']
      : undefined;
  if (outboxKeys !== undefined) refuseUnknownKeys('outbox.', options.outbox!, outboxKeys, problems);
  /** A duration in milliseconds with a floor below which the value was likely meant in seconds. */
  const ms = (name: 'timeout' | 'flushInterval', fallback: number, floor: number): number => {
    const value = options[name];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      problems.push(`"${name}" must be a number of milliseconds, received ${describeValue(value)}`);
      return fallback;
    }
    if (value < floor && !(name === 'flushInterval' && value === 0)) {
      problems.push(
        `"${name}" is in milliseconds and must be ${name === 'flushInterval' ? `0 or ` : ''}>= ${floor}, received ${describeValue(value)} (for ${value} seconds, use ${Math.round(value * 1000)})`,
      );
      return fallback;
    }
    return value;
  };
  const num = (name: keyof AnalyticsOptions, fallback: number, min: number): number => {
    const value = options[name];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
      problems.push(`"${name}" must be a number >= ${min}, received ${describeValue(value)}`);
      return fallback;
    }
    return value;
  };
  const bool = (name: keyof AnalyticsOptions, fallback: boolean): boolean => {
    const value = options[name];
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean')
      problems.push(`"${name}" must be a boolean, received ${typeof value}`);
    return value === true;
  };
  const send = bool('send', true);
  const writeKey = options.writeKey ?? '';
  if (typeof writeKey !== 'string' || (send && writeKey === '')) {
    problems.push(
      `"writeKey" must be a non-empty string, received ${writeKey === '' ? 'an empty value' : typeof writeKey}`,
    );
  }
  const host = options.host ?? DEFAULT_HOST;
  const path = options.path ?? DEFAULT_PATH;
  let url = '';
  try {
    const parsed = new URL(host);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme');
    // String joining keeps a path prefix in `host`, which `new URL(path, host)` would drop.
    url = host.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, '');
  } catch {
    problems.push(
      `"host" must be an absolute http(s) URL such as "https://api.segment.io", received ${JSON.stringify(host)}`,
    );
  }
  for (const name of ['onError', 'transport', 'waitUntil'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      problems.push(`"${name}" must be a function, received ${typeof options[name]}`);
    }
  }
  let oauth: ResolvedOptions['oauth'];
  const maxRetries = num('maxRetries', DEFAULT_MAX_RETRIES, 0);
  if (options.oauth !== undefined) {
    const o = options.oauth;
    for (const field of ['clientId', 'clientKey', 'keyId'] as const) {
      if (typeof o[field] !== 'string' || o[field] === '')
        problems.push(
          `"oauth.${field}" must be a non-empty string, received ${describeValue(o[field])}`,
        );
    }
    if (typeof o.clientKey === 'string' && o.clientKey !== '') {
      // Checked here too, so a bad key is reported with the other problems even when `send: false`.
      const key = parseClientKey(o.clientKey);
      if (!key.ok) problems.push(`"oauth.clientKey" ${key.problem}`);
    }
    oauth = {
      clientId: o.clientId,
      clientKey: o.clientKey,
      keyId: o.keyId,
      authServer: (o.authServer ?? oauthRegions.oregon).replace(/\/+$/, ''),
      scope: o.scope ?? 'tracking_api:write',
      maxRetries: o.maxRetries ?? maxRetries,
    };
  }
  const outbox = resolveOutbox(options.outbox, problems);
  const resolved: ResolvedOptions = {
    writeKey,
    host,
    path,
    url,
    flushAt: Math.floor(num('flushAt', DEFAULT_FLUSH_AT, 1)),
    flushInterval: ms('flushInterval', DEFAULT_FLUSH_INTERVAL, MIN_FLUSH_INTERVAL),
    maxQueueSize: num('maxQueueSize', DEFAULT_MAX_QUEUE_SIZE, 1),
    maxQueueBytes: num('maxQueueBytes', DEFAULT_MAX_QUEUE_BYTES, MAX_MESSAGE_BYTES),
    gzip: bool('gzip', false),
    maxRetries,
    timeout: ms('timeout', DEFAULT_TIMEOUT, MIN_TIMEOUT),
    maxConcurrentRequests: Math.floor(
      num('maxConcurrentRequests', DEFAULT_MAX_CONCURRENT_REQUESTS, 1),
    ),
    retryBaseDelay: num('retryBaseDelay', DEFAULT_RETRY_BASE_DELAY, 0),
    retryMaxDelay: num('retryMaxDelay', DEFAULT_RETRY_MAX_DELAY, 0),
    send,
    syncMode: bool('syncMode', false),
    debug: bool('debug', false),
    flushOnExit: bool('flushOnExit', true),
    onError: options.onError,
    logger: options.logger ?? console,
    oauth,
    transport: options.transport,
    waitUntil: options.waitUntil,
    outbox,
    proxy: resolveProxy(options.proxy, problems),
    beforeSend: resolveBeforeSend(options.beforeSend, problems),
    privacy: resolvePrivacy(options.privacy, problems),
  };
  if (problems.length > 0) {
    throw new AnalyticsError(
      'INVALID_OPTIONS',
      `Invalid Analytics options:\n- ${problems.join('\n- ')}`,
    );
  }
  return resolved;
}

function resolveOutbox(
  outbox: OutboxOptions | undefined,
  problems: string[],
): ResolvedOutboxOptions | undefined {
  if (outbox === undefined) return undefined;
  if (typeof outbox !== 'object' || outbox === null) {
    problems.push(
      `"outbox" must be an object such as { type: 'file', dir: './outbox' }, received ${describeValue(outbox)}`,
    );
    return undefined;
  }
  const text = (name: string, value: unknown) => {
    if (typeof value !== 'string' || value === '')
      problems.push(
        `"outbox.${name}" must be a non-empty string, received ${describeValue(value)}`,
      );
  };
  if (outbox.type === 'file') {
    text('dir', outbox.dir);
    const fsync = outbox.fsync ?? 'interval';
    if (fsync !== 'never' && fsync !== 'interval' && fsync !== 'always') {
      problems.push(
        `"outbox.fsync" must be 'never', 'interval' or 'always', received ${describeValue(fsync)}`,
      );
    }
    return { type: 'file', dir: outbox.dir, fsync };
  }
  if (outbox.type === 'redis') {
    text('url', outbox.url);
    text('stream', outbox.stream);
    const group = outbox.group ?? 'tributary';
    text('group', group);
    const claimAfter = outbox.claimAfter ?? DEFAULT_CLAIM_AFTER;
    if (typeof claimAfter !== 'number' || !Number.isFinite(claimAfter) || claimAfter < 100) {
      problems.push(
        `"outbox.claimAfter" must be a number >= 100, received ${describeValue(claimAfter)}`,
      );
    }
    return { type: 'redis', url: outbox.url, stream: outbox.stream, group, claimAfter };
  }
  problems.push(
    `"outbox.type" must be 'file' or 'redis', received ${describeValue((outbox as { type?: unknown }).type)}`,
  );
  return undefined;
}
