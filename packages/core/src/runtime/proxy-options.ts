import { describeValue } from '../errors.js';

/**
 * Checks the `proxy` option: an absolute http(s) URL, or `false`. A bad value is described
 * without echoing it, since a proxy URL may carry credentials.
 */
export function resolveProxy(value: unknown, problems: string[]): string | false | undefined {
  if (value === undefined || value === false) return value;
  if (typeof value !== 'string') {
    problems.push(
      `"proxy" must be a URL string such as "http://proxy.internal:3128" or false, received ${describeValue(value)}`,
    );
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(
      `"proxy" must be an absolute URL such as "http://proxy.internal:3128", received a string that is not a URL`,
    );
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push(
      `"proxy" must be an http: or https: URL, received one with scheme ${JSON.stringify(url.protocol)}`,
    );
    return undefined;
  }
  return value;
}

/** The URL without its credentials, for logs and errors: `http://***@proxy.internal:3128`. */
export function describeProxy(proxy: string): string {
  try {
    const url = new URL(proxy);
    const hidden = url.username !== '' || url.password !== '';
    return `${url.protocol}//${hidden ? '***@' : ''}${url.host}`;
  } catch {
    return 'the proxy';
  }
}
