import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveClientIp } from './client-ip.js';
import { capturePeerAddresses } from './peer-address.js';
import { scopeFromRequest } from './scope-from-request.js';

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
