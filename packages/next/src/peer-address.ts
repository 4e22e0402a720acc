import type * as DiagnosticsChannel from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import {
  currentEntryFacts,
  ENTRY_FACTS,
  enterScope,
  getCurrentScope,
  headerReader,
  type HeaderReader,
  type HeaderSource,
  type RequestScope,
} from '@tributary/core/adapter';
import { nodeBuiltin } from './node-builtin.js';

/** The connection a request came on, as Node's HTTP server saw it before Next.js did. */
export interface PeerAddress {
  /** `socket.remoteAddress`: the client, or the nearest proxy. Never read from a header. */
  address: string;
  /**
   * `X-Forwarded-For` exactly as the request arrived, before Next.js adds the socket address to it
   * when it is missing; `undefined` when the request had none. Only proxies you trust make it true.
   */
  forwardedFor: string | undefined;
}

/** One capture per process: route bundles each load their own copy of this module. */
const CAPTURE = Symbol.for('tributary.next.peer-address');
type Globals = typeof globalThis & { [CAPTURE]?: true };

/**
 * The peer of the request being handled in this async context, once {@link capturePeerAddresses}
 * runs in this process (`initAnalytics` calls it). `undefined` outside a request, on the edge
 * runtime, or when capture is off: a value that came from the client can never take its place.
 */
export function peerAddress(): PeerAddress | undefined {
  try {
    if ((globalThis as Globals)[CAPTURE] === undefined) return undefined;
    const facts = currentEntryFacts() as { peer?: PeerAddress } | undefined;
    return facts?.peer;
  } catch {
    return undefined;
  }
}

/**
 * Records each request's socket address where Node's HTTP server publishes the request
 * (`diagnostics_channel` `http.server.request.start`), before Next.js reads it, and makes it
 * the current {@link peerAddress} for everything that runs for that request: route handlers,
 * Server Components and Actions, the Node.js proxy. Idempotent; does nothing on the edge runtime.
 * @returns whether peer addresses are captured in this process.
 */
export function capturePeerAddresses(): boolean {
  const g = globalThis as Globals;
  if (g[CAPTURE] !== undefined) return true;
  const channels = nodeBuiltin<typeof DiagnosticsChannel>('node:diagnostics_channel');
  // The core's own request-scope storage carries the peer: on Node 20 every AsyncLocalStorage in
  // use adds work to each of the ~200 promises Next.js makes per request, so no second one.
  if (channels === undefined || !enterScope(getCurrentScope())) return false;
  channels.subscribe('http.server.request.start', (message) => {
    const { request, socket } = message as { request: IncomingMessage; socket: Socket };
    const address = socket.remoteAddress;
    const forwarded = request.headers['x-forwarded-for'];
    // The server emits 'request' synchronously after publishing, in this same async context, so
    // the scope entered here is the one the request's handlers run in. Entered for every
    // request, so an earlier request's peer on the same connection never carries over.
    enterScope(
      address === undefined
        ? undefined
        : ({
            [ENTRY_FACTS]: {
              peer: {
                address,
                forwardedFor: Array.isArray(forwarded) ? forwarded.join(', ') : forwarded,
              },
            },
          } as RequestScope),
    );
  });
  g[CAPTURE] = true;
  return true;
}

/** The facts the client-ip rule reads: the request's headers and the socket address. */
export interface AddressFacts {
  headers: HeaderSource;
  socketAddress?: string | undefined;
}

/**
 * Gives `facts` the captured {@link peerAddress}: its socket address, and `X-Forwarded-For` as the
 * request arrived, so the entry Next.js adds when there is none never counts as a hop. Sets them
 * on `facts` itself (each caller builds its facts for the one request) and returns it; unchanged
 * when no peer was captured (the edge runtime, serverless hosts, before `initAnalytics`).
 */
export function addPeerAddress<TFacts extends AddressFacts>(
  facts: TFacts,
  peer: PeerAddress | undefined = peerAddress(),
): TFacts {
  if (peer === undefined) return facts;
  facts.socketAddress = peer.address;
  facts.headers = new ArrivedHeaders(facts.headers, peer.forwardedFor);
  return facts;
}

/**
 * A request's headers with `X-Forwarded-For` as it arrived. One object with a prototype `get`
 * per request, rather than a spread of the facts and two closures (issue #20).
 */
class ArrivedHeaders {
  readonly #headers: HeaderSource;
  readonly #forwardedFor: string | undefined;
  #read: HeaderReader | undefined;

  constructor(headers: HeaderSource, forwardedFor: string | undefined) {
    this.#headers = headers;
    this.#forwardedFor = forwardedFor;
  }

  get(name: string): string | null {
    const lower = name.toLowerCase();
    if (lower === 'x-forwarded-for') return this.#forwardedFor ?? null;
    return (this.#read ??= headerReader(this.#headers))(lower) ?? null;
  }
}
