import { AsyncLocalStorage } from 'node:async_hooks';
import { Buffer } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { request } from 'undici';
import type { Transport } from '../delivery/transport.js';
import { installScopeStorage } from '../context/request-scope.js';
import { FileOutbox } from '../outbox/file-outbox.js';
import { RedisOutbox } from '../outbox/redis-outbox.js';
import { createDispatcher } from './proxy-dispatcher.js';
import type { Runtime } from './runtime.js';

const gzipAsync = promisify(gzip);

function createUndiciTransport({
  keepAliveConnections,
  proxy,
}: Parameters<Runtime['createTransport']>[0]): Transport & {
  close: () => Promise<void>;
} {
  // One pooled keep-alive agent per client: batches reuse connections instead of opening one each.
  const { dispatcher: agent, wrapError } = createDispatcher({
    connections: keepAliveConnections,
    proxy,
  });
  const transport = async (req: Parameters<Transport>[0]) => {
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        signal: req.signal,
        dispatcher: agent,
      });
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
  return Object.assign(transport, { close: () => agent.close() });
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
