import { createServer, request, type IncomingMessage, type Server } from 'node:http';
// initAnalytics loads the core, whose Node entry installs the request-scope storage the capture uses.
import '@tributary/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveClientIp } from './client-ip.js';
import { capturePeerAddresses } from './peer-address.js';
import { pageUrl, scopeFromRequest } from './scope-from-request.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

beforeAll(() => {
  expect(capturePeerAddresses()).toBe(true);
});

interface Seen {
  scopeIp: string | undefined;
  resolvedIp: string | undefined;
}

/**
 * A server that, like `next start`, sets X-Forwarded-For to the socket address when the request
 * has none, then reports the ip a request scope and `resolveClientIp` give, with `?hops=N`.
 */
async function serve(): Promise<number> {
  server = createServer((req: IncomingMessage, res) => {
    req.headers['x-forwarded-for'] ??= req.socket.remoteAddress;
    const url = req.url ?? '/';
    const trustedProxyHops = Number(new URL(url, 'http://x').searchParams.get('hops') ?? 0);
    // Resolved a few turns later, as a route handler would.
    void Promise.resolve().then(() => {
      const scope = scopeFromRequest(
        { url, headers: req.headers },
        { trustedProxyHops, anonymousIdCookie: false },
        undefined,
      );
      const headers = {
        get: (name: string) => {
          const value = req.headers[name.toLowerCase()];
          return Array.isArray(value) ? value.join(', ') : (value ?? null);
        },
      };
      const seen: Seen = {
        scopeIp: scope.context?.ip,
        resolvedIp: resolveClientIp(headers, { trustedProxyHops }, () => undefined),
      };
      res.end(JSON.stringify(seen));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

function ipsFor(
  port: number,
  localAddress: string,
  hops: number,
  forwardedFor?: string,
): Promise<Seen> {
  return new Promise((resolve, reject) => {
    const headers = forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor };
    const req = request(
      { port, host: '127.0.0.1', path: `/?hops=${hops}`, localAddress, headers },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve(JSON.parse(body) as Seen));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('the client ip of a request on next start', () => {
  it('is the socket address when no proxy is trusted, whatever X-Forwarded-For says', async () => {
    const port = await serve();
    await expect(ipsFor(port, '127.0.0.3', 0, '6.6.6.6')).resolves.toEqual({
      scopeIp: '127.0.0.3',
      resolvedIp: '127.0.0.3',
    });
  });

  it("never counts the X-Forwarded-For entry Next.js adds itself as a proxy's report", async () => {
    const port = await serve();
    await expect(ipsFor(port, '127.0.0.4', 1)).resolves.toEqual({
      scopeIp: '127.0.0.4',
      resolvedIp: '127.0.0.4',
    });
  });

  it('counts trusted hops from the socket over X-Forwarded-For as it arrived', async () => {
    const port = await serve();
    await expect(ipsFor(port, '127.0.0.5', 1, '6.6.6.6, 203.0.113.7')).resolves.toEqual({
      scopeIp: '203.0.113.7',
      resolvedIp: '203.0.113.7',
    });
    await expect(ipsFor(port, '127.0.0.5', 5, '6.6.6.6, 203.0.113.7')).resolves.toEqual({
      scopeIp: '6.6.6.6',
      resolvedIp: '6.6.6.6',
    });
  });
});

describe('pageUrl', () => {
  /** What pageUrl returned before it reused the last origin: one URL parse per call. */
  const parsed = (url: string, host?: string | null) => {
    const u = new URL(url);
    if (u.searchParams.has('_rsc')) u.searchParams.delete('_rsc');
    if (host != null && /^[a-z0-9.:[\]-]+$/i.test(host)) u.host = host;
    return u.href;
  };

  it.each([
    ['http://localhost:3000/api/checkout?step=pay', '127.0.0.1:3000'],
    ['http://localhost:3000/api/checkout?step=pay', '127.0.0.1:4000'],
    ['https://shop.example/a/b?x=1#frag', 'Shop.Example:443'],
    ['http://localhost:3000/', 'example.com:80'],
    ['http://localhost:3000/page?_rsc=1x2&q=a+b', '127.0.0.1:3000'],
    ['http://localhost:3000/page?q=%20', null],
    ['http://localhost:3000/page', 'bad host/../x'],
    ['http://user:pw@localhost:3000/p', '[::1]:3000'],
    ['http://localhost:3000?q=1', '127.0.0.1'],
  ])('gives %s with Host %s the page URL a full parse gives', (url, host) => {
    // Twice: the second call takes the remembered origin.
    expect(pageUrl(url, host)).toBe(parsed(url, host));
    expect(pageUrl(url, host)).toBe(parsed(url, host));
  });

  it('returns a string it cannot parse unchanged', () => {
    expect(pageUrl('/relative/path', 'example.com')).toBe('/relative/path');
  });
});
