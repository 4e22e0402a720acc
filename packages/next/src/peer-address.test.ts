import { createServer, request, type Server } from 'node:http';
// initAnalytics loads the core, whose Node entry installs the request-scope storage the capture uses.
import '@tributary/core';
import { afterEach, describe, expect, it } from 'vitest';
import { capturePeerAddresses, peerAddress, type PeerAddress } from './peer-address.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A server whose handler reports the peer it sees after a few turns of the event loop. */
async function serve(): Promise<number> {
  server = createServer((req, res) => {
    // Next.js adds its own entry when there is none; the capture must have read the original.
    req.headers['x-forwarded-for'] ??= req.socket.remoteAddress;
    void new Promise((resolve) => setTimeout(resolve, Math.random() * 20)).then(() =>
      res.end(JSON.stringify(peerAddress() ?? null)),
    );
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

function get(port: number, localAddress: string, headers: Record<string, string> = {}) {
  return new Promise<PeerAddress | null>((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', localAddress, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve(JSON.parse(body) as PeerAddress | null));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('peerAddress', () => {
  it('is undefined outside a request', () => {
    capturePeerAddresses();
    expect(peerAddress()).toBeUndefined();
  });

  it('gives each concurrent request its own socket address and X-Forwarded-For as it arrived', async () => {
    expect(capturePeerAddresses()).toBe(true);
    const port = await serve();
    const replies = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        get(port, `127.0.0.${2 + (i % 6)}`, i % 2 === 0 ? { 'x-forwarded-for': '6.6.6.6' } : {}),
      ),
    );
    replies.forEach((reply, i) =>
      expect(reply).toEqual({
        address: `127.0.0.${2 + (i % 6)}`,
        ...(i % 2 === 0 ? { forwardedFor: '6.6.6.6' } : {}),
      }),
    );
  });
});
