import { Agent, buildConnector, EnvHttpProxyAgent, Pool, type Dispatcher } from 'undici';
import { AnalyticsError, describeError } from '../errors.js';
import { describeProxy } from './proxy-options.js';

/** The proxy settings in effect: the option, else the environment as curl reads it. */
function proxyFromEnvironment(): { http?: string; https?: string } {
  const env = process.env;
  const http = env.http_proxy || env.HTTP_PROXY || undefined;
  const https = env.https_proxy || env.HTTPS_PROXY || undefined;
  return { http, https };
}

/**
 * The undici dispatcher of a client: a plain keep-alive pool, or undici's `EnvHttpProxyAgent`
 * when a proxy applies (`NO_PROXY` is honoured either way, as curl does). `wrapError` turns a
 * failure to get through the proxy into a `PROXY_ERROR` that names the proxy without its
 * credentials; the client then retries it like any network failure.
 */
export function createDispatcher(options: {
  connections: number;
  proxy: string | false | undefined;
  /**
   * Wraps undici's connector wherever a socket is dialled: to the endpoint, or to the proxy (whose
   * client undici's ProxyAgent builds itself, so it is reached through `clientFactory`).
   */
  wrapConnect?: ((connect: buildConnector.connector) => buildConnector.connector) | undefined;
}): { dispatcher: Dispatcher; wrapError: (error: unknown, url: string) => unknown } {
  const wrap = options.wrapConnect;
  const pool = {
    connections: options.connections,
    keepAliveTimeout: 10_000,
    ...(wrap !== undefined && { connect: wrap(buildConnector({})) }),
  };
  const proxies =
    options.proxy === false
      ? {}
      : options.proxy === undefined
        ? proxyFromEnvironment()
        : { http: options.proxy, https: options.proxy };
  if (proxies.http === undefined && proxies.https === undefined) {
    return { dispatcher: new Agent(pool), wrapError: (error) => error };
  }
  const dispatcher = new EnvHttpProxyAgent({
    ...pool,
    ...(proxies.http !== undefined && { httpProxy: proxies.http }),
    ...(proxies.https !== undefined && { httpsProxy: proxies.https }),
    ...(wrap !== undefined && {
      clientFactory: (origin: URL, opts: { connect: buildConnector.connector }) =>
        new Pool(origin, { ...opts, connect: wrap(opts.connect) }),
    }),
  });
  const known = [proxies.http, proxies.https].filter((p): p is string => p !== undefined);
  return { dispatcher, wrapError: (error, url) => wrapProxyError(error, url, known) };
}

function wrapProxyError(error: unknown, target: string, proxies: string[]): unknown {
  const text = describeError(error);
  const answered = /Proxy response \((\d+)\)|Proxy Authentication Required \((\d+)\)/.exec(text);
  const address = error as { address?: unknown; port?: unknown };
  // A socket error names the address it dialled: the proxy's port (and, for an ip, its host), or
  // any port but the target's when the proxy is a host name resolved to some address.
  const targetPort = portOf(target);
  const refused = proxies.find((proxy) => {
    const port = portOf(proxy);
    if (port === undefined || address.port !== port) return false;
    const host = new URL(proxy).hostname.replace(/^\[|\]$/g, '');
    return address.address === host || targetPort !== port;
  });
  if (answered === null && refused === undefined) return error;
  const names = [...new Set(proxies.map(describeProxy))].join(' / ');
  const status = answered?.[1] ?? answered?.[2];
  const what =
    status === '407'
      ? 'answered 407 Proxy Authentication Required: check the credentials in the proxy URL'
      : status !== undefined
        ? `answered ${status} instead of opening the tunnel`
        : 'could not be reached';
  // The cause (undici's error) is kept: its text names no credentials, and says what the socket saw.
  return new AnalyticsError('PROXY_ERROR', `the proxy ${names} ${what}`, { cause: error });
}

function portOf(url: string): number | undefined {
  try {
    const parsed = new URL(url);
    return Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
  } catch {
    return undefined;
  }
}
