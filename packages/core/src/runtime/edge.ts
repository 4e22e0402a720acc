import { createFetchTransport } from '../delivery/transport.js';
import {
  createSyncScopeStorage,
  installScopeStorage,
  type ScopeStorage,
} from '../context/request-scope.js';
import type { Runtime } from './runtime.js';

const encoder = new TextEncoder();
// Read through globalThis: Next.js's edge bundler rejects a bare `CompressionStream` as a Node API.
const Compression = (globalThis as { CompressionStream?: typeof CompressionStream })
  .CompressionStream;

async function gzipWeb(body: string | Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([body as BlobPart]).stream().pipeThrough(new Compression!('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Runtimes without `node:` modules: Vercel Edge, Next.js middleware, Cloudflare Workers, Deno. */
export const edgeRuntime: Runtime = {
  name: 'edge',
  // The platform's fetch decides about proxies; the `proxy` option does not apply here.
  createTransport: () => createFetchTransport(),
  gzip: typeof Compression === 'function' ? gzipWeb : undefined,
  byteLength: (text) => encoder.encode(text).byteLength,
  allocBytes: (size) => new Uint8Array(size),
  encodeInto: (text, target, offset) => encoder.encodeInto(text, target.subarray(offset)).written,
  uuid: () => crypto.randomUUID(),
  base64: (text) => {
    let binary = '';
    for (const byte of encoder.encode(text)) binary += String.fromCharCode(byte);
    return btoa(binary);
  },
  // Edge isolates have no natural process end; serverless hosts use `waitUntil` instead.
  onBeforeExit: () => () => undefined,
  prepare: () => installScopeStorage(createSyncScopeStorage),
};

/** Edge runtimes expose AsyncLocalStorage globally (Vercel Edge, Cloudflare with nodejs_als). */
const Als = (globalThis as { AsyncLocalStorage?: new () => ScopeStorage }).AsyncLocalStorage;
// Where there is none, the synchronous fallback is installed only once an edge client is built:
// installed at import, it would win over Node's AsyncLocalStorage in a Node process that loads
// this entry first (a Next.js proxy), and scopes would stop crossing awaits there (#17).
if (Als !== undefined) installScopeStorage(() => new Als());
