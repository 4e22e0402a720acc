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
  gzip: ((body: string | Uint8Array) => Promise<Uint8Array>) | undefined;
  byteLength(text: string): number;
  /** A byte array of at least `size` bytes; its contents are not cleared. */
  allocBytes(size: number): Uint8Array;
  /** Encodes `text` as UTF-8 into `target` at `offset`, which has room for it; returns the bytes written. */
  encodeInto(text: string, target: Uint8Array, offset: number): number;
  uuid(): string;
  base64(text: string): string;
  /** Calls `fn` once when the process is about to end naturally; returns an unregister function. */
  onBeforeExit(fn: () => void): () => void;
  /** Called by each client this runtime builds, before it is used (lazy per-runtime set-up). */
  prepare?(): void;
  /** Opens a durable outbox; undefined where there is no lasting storage (edge runtimes). */
  createOutbox?(options: ResolvedOutboxOptions, deps: OutboxDeps): Outbox;
}

/**
 * Where an `Analytics` class keeps its runtime: each entry point (`index.ts` for Node, `edge.ts`
 * for edge runtimes) exports a subclass that sets it. A client gets its runtime from the class
 * that built it, never from a process-wide value set at import time: bundlers drop import-time
 * side effects (`"sideEffects": false`), and two entries loaded in one process must not change
 * each other (#17).
 */
export const RUNTIME = Symbol.for('tributary.runtime');

/** The runtime bound to an `Analytics` class, or a clear error when it has none. */
export function runtimeOf(constructor: unknown): Runtime {
  const runtime = (constructor as { [RUNTIME]?: Runtime } | undefined)?.[RUNTIME];
  if (runtime === undefined) {
    throw new TypeError(
      '@tributary/core: this Analytics class is bound to no runtime; import Analytics from "@tributary/core" (Node.js) or "@tributary/core/edge"',
    );
  }
  return runtime;
}
