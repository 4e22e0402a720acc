import type { Transport } from '../delivery/transport.js';
import type { Outbox, OutboxDeps, ResolvedOutboxOptions } from '../outbox/outbox.js';

/** What differs between Node and edge runtimes; everything else in core is shared. */
export interface Runtime {
  /** `'node'` or `'edge'`. */
  name: 'node' | 'edge';
  createTransport(options: {
    keepAliveConnections: number;
    /** The `proxy` option: a URL, `false`, or undefined for the environment. Node.js only. */
    proxy?: string | false | undefined;
  }): Transport & { close?: () => Promise<void> };
  /** Undefined where the runtime cannot compress (an edge runtime without CompressionStream). */
  gzip: ((body: string) => Promise<Uint8Array>) | undefined;
  byteLength(text: string): number;
  uuid(): string;
  base64(text: string): string;
  /** Calls `fn` once when the process is about to end naturally; returns an unregister function. */
  onBeforeExit(fn: () => void): () => void;
  /** Opens a durable outbox; undefined where there is no lasting storage (edge runtimes). */
  createOutbox?(options: ResolvedOutboxOptions, deps: OutboxDeps): Outbox;
}

let current: Runtime | undefined;

/** Called once by each entry point (`index.ts` for Node, `edge.ts` for edge runtimes). */
export function setRuntime(runtime: Runtime): void {
  current ??= runtime;
}

export function getRuntime(): Runtime {
  if (current === undefined)
    throw new Error('@tributary/core: no runtime installed; import the package entry point');
  return current;
}
