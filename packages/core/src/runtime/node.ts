import { AsyncLocalStorage } from 'node:async_hooks';
import { Buffer } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { Socket } from 'node:net';
import { gzip } from 'node:zlib';
import { request, type buildConnector } from 'undici';
import type { Transport } from '../delivery/transport.js';
import { installScopeStorage } from '../context/request-scope.js';
import { FileOutbox } from '../outbox/file-outbox.js';
import { RedisOutbox } from '../outbox/redis-outbox.js';
import { untilAborted } from '../timers.js';
import { createDispatcher } from './proxy-dispatcher.js';
import type { Runtime } from './runtime.js';

const gzipAsync = promisify(gzip);

function createUndiciTransport({
  keepAliveConnections,
  proxy,
}: Parameters<Runtime['createTransport']>[0]): Transport & {
  close: () => Promise<void>;
} {
  // undici neither aborts a request whose connection is still being opened nor closes that
  // socket on close()/destroy(): against an endpoint that never answers the connect, both wait
  // for the connect timeout (10 s), so close() overran its timeout and kept the process alive.
  // Every connector (to the endpoint, and to a proxy) tracks its sockets until they close;
  // close() destroys what is left.
  const sockets = new Set<Socket>();
  const track =
    (connector: buildConnector.connector): buildConnector.connector =>
    (options, callback) => {
      // undici's connector returns the socket it opens (its typings say void).
      const socket = connector(options, callback) as unknown as Socket | undefined;
      if (socket === undefined) return;
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    };
  // One pooled keep-alive agent per client: batches reuse connections instead of opening one each.
  const { dispatcher: agent, wrapError } = createDispatcher({
    connections: keepAliveConnections,
    proxy,
    wrapConnect: track,
  });
  const transport = async (req: Parameters<Transport>[0]) => {
    let response: Awaited<ReturnType<typeof request>>;
    try {
      const pending = request(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        signal: req.signal,
        dispatcher: agent,
      });
      // undici only aborts a request once it has a connection: settle at the abort regardless.
      response = await (req.signal === undefined ? pending : untilAborted(pending, req.signal));
    } catch (error) {
      throw wrapError(error, req.url);
    }
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(response.headers)) {
      if (value !== undefined)
        headers[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    return { status: response.statusCode, headers, body: await response.body.text() };
  };
  const close = async () => {
    // Delivery has settled every batch by now, so nothing here is worth waiting for; close() would
    // wait for requests undici still holds although their caller was aborted (see above).
    await agent.destroy();
    // Resolve only once no socket of this client holds the event loop.
    await Promise.all(
      [...sockets].map(
        (socket) =>
          new Promise<void>((resolve) => {
            socket.once('close', () => resolve());
            // With an error, so undici's connector also clears its connect timer.
            socket.destroy(new Error('the analytics client closed'));
          }),
      ),
    );
  };
  return Object.assign(transport, { close });
}

const exitHooks = new Set<() => void>();
function runExitHooks(): void {
  for (const hook of exitHooks) hook();
}

export const nodeRuntime: Runtime = {
  name: 'node',
  createTransport: createUndiciTransport,
  gzip: async (body) => new Uint8Array(await gzipAsync(body)),
  byteLength: (text) => Buffer.byteLength(text, 'utf8'),
  // Outside Buffer's shared pool: a batch body lives as long as its batch, not as long as a pool slab.
  allocBytes: (size) => Buffer.allocUnsafeSlow(size),
  encodeInto: (text, target, offset) => (target as Buffer).write(text, offset, 'utf8'),
  uuid: randomUUID,
  base64: (text) => Buffer.from(text, 'utf8').toString('base64'),
  onBeforeExit(fn) {
    // One process listener for all clients, so many clients never trip MaxListenersExceeded.
    if (exitHooks.size === 0) process.on('beforeExit', runExitHooks);
    exitHooks.add(fn);
    return () => {
      exitHooks.delete(fn);
      if (exitHooks.size === 0) process.removeListener('beforeExit', runExitHooks);
    };
  },
  createOutbox: (options, deps) =>
    options.type === 'file' ? new FileOutbox(options, deps) : new RedisOutbox(options, deps),
};

installScopeStorage(() => new AsyncLocalStorage());
