import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

/** One CONNECT request the proxy received. */
export interface ProxiedConnect {
  /** `host:port` the client asked to reach. */
  target: string;
  /** The Proxy-Authorization header, decoded from Basic (`user:pass`), if any. */
  credentials: string | undefined;
  /** How the proxy answered: 200 when it opened the tunnel. */
  status: number;
}

/**
 * A real HTTP forward proxy on 127.0.0.1 that tunnels CONNECT requests, as corporate proxies
 * (Squid, and what `HTTPS_PROXY` points at) do. With `credentials` set it answers 407 to any
 * CONNECT without them; `refuseNext(n)` answers the next n with 407 whatever they carry.
 */
export interface ForwardProxy {
  url: string;
  port: number;
  connects: ProxiedConnect[];
  refuseNext(count: number): void;
  close(): Promise<void>;
}

export async function startForwardProxy(
  options: { credentials?: string } = {},
): Promise<ForwardProxy> {
  const connects: ProxiedConnect[] = [];
  const sockets = new Set<Socket>();
  let refusals = 0;
  const server: Server = createServer((_req, res) => {
    // Only tunnelling is spoken here: undici's ProxyAgent tunnels http and https alike.
    res.writeHead(501).end();
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    const target = req.url ?? '';
    const header = req.headers['proxy-authorization'];
    const credentials =
      header?.startsWith('Basic ') === true
        ? Buffer.from(header.slice(6), 'base64').toString('utf8')
        : undefined;
    const authorized = options.credentials === undefined || credentials === options.credentials;
    if (refusals > 0 || !authorized) {
      if (refusals > 0) refusals--;
      connects.push({ target, credentials, status: 407 });
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    const [host, port] = splitTarget(target);
    const upstream = connect(port, host, () => {
      connects.push({ target, credentials, status: 200 });
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => {
      connects.push({ target, credentials, status: 502 });
      client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connects,
    refuseNext(count) {
      refusals = count;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function splitTarget(target: string): [string, number] {
  const colon = target.lastIndexOf(':');
  return [target.slice(0, colon).replace(/^\[|\]$/g, ''), Number(target.slice(colon + 1))];
}

/** A port on 127.0.0.1 where nothing listens: connections to it are refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
