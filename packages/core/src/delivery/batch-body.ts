import type { AnalyticsError } from '../errors.js';
import type { OutboxRef } from '../outbox/outbox.js';
import type { Runtime } from '../runtime/runtime.js';

const PREFIX = '{"batch":[';
const COMMA = 0x2c;
const decoder = new TextDecoder();

/** What a batch body needs from its client: the runtime's byte functions and the envelope's tail. */
export interface BatchBodyShape {
  runtime: Pick<Runtime, 'byteLength' | 'allocBytes' | 'encodeInto'>;
  /** `],"writeKey":"…","sentAt":"` : the envelope after the messages, up to the `sentAt` value. */
  tail: string;
  /** Bytes of the whole envelope around the messages, a 24-character `sentAt` included. */
  envelopeBytes: number;
}

/**
 * One batch's request body, written as its messages are accepted:
 * `{"batch":[m1,m2,…],"writeKey":"…","sentAt":"…"}`. Each message's JSON is encoded into the body
 * when it is accepted, so the per-message strings die young and sending needs no join: every
 * attempt sends these same bytes, with only `sentAt` written afresh. The messages' own texts are
 * decoded back only for `onError`.
 */
export class BatchBody {
  readonly #shape: BatchBodyShape;
  #bytes: Uint8Array;
  /** Where the last kept message ends (the envelope's tail goes there). */
  #end = PREFIX.length;
  /** Where each kept message ends; a message starts one byte (the comma) after the previous end. */
  readonly #ends: number[] = [];
  /** Acceptance order of the first message; the batch holds `firstSeq` … `firstSeq + count - 1`. */
  firstSeq = 0;
  /** Sum of the kept messages' own bytes: what they count against `maxQueueBytes`. */
  heldBytes = 0;
  /** Where an outbox keeps each message, when there is one. */
  refs: OutboxRef[] | undefined;
  /** Each message's callback, when any call passed one. */
  callbacks: (((error: AnalyticsError | undefined) => void) | undefined)[] | undefined;

  constructor(shape: BatchBodyShape, capacity: number) {
    this.#shape = shape;
    this.#bytes = shape.runtime.allocBytes(Math.max(capacity, shape.envelopeBytes + 64));
    this.#shape.runtime.encodeInto(PREFIX, this.#bytes, 0);
  }

  /** Messages kept. */
  get count(): number {
    return this.#ends.length;
  }

  /** The body's size once sent: envelope, messages and the commas between them. */
  get size(): number {
    return this.#shape.envelopeBytes + this.#end - PREFIX.length;
  }

  /**
   * Encodes `json` after the kept messages without keeping it yet; returns its bytes. Until
   * {@link keep} it is not part of the body: the next write or the envelope goes over it.
   */
  write(json: string): number {
    const start = this.#ends.length === 0 ? this.#end : this.#end + 1;
    const reserve = this.#shape.envelopeBytes;
    // UTF-8 takes at most 3 bytes per UTF-16 unit; measure exactly only when that may not fit.
    if (start + json.length * 3 + reserve > this.#bytes.length) {
      const needed = start + this.#shape.runtime.byteLength(json) + reserve;
      if (needed > this.#bytes.length) this.#grow(needed);
    }
    if (start > this.#end) this.#bytes[this.#end] = COMMA;
    return this.#shape.runtime.encodeInto(json, this.#bytes, start);
  }

  /** Keeps the message last written (of `bytes`), accepted as `seq`. */
  keep(
    seq: number,
    bytes: number,
    ref: OutboxRef,
    callback: ((error: AnalyticsError | undefined) => void) | undefined,
  ): void {
    const index = this.#ends.length;
    if (index === 0) this.firstSeq = seq;
    else this.#end++;
    this.#end += bytes;
    this.#ends.push(this.#end);
    this.heldBytes += bytes;
    if (ref !== undefined) (this.refs ??= [])[index] = ref;
    if (callback !== undefined) (this.callbacks ??= [])[index] = callback;
  }

  /** The whole body with `sentAt` written at its end; the same bytes on every call but `sentAt`. */
  finish(sentAt: string): Uint8Array {
    const close = `${this.#shape.tail}${sentAt}"}`;
    const runtime = this.#shape.runtime;
    if (this.#end + close.length * 3 > this.#bytes.length) {
      this.#grow(this.#end + runtime.byteLength(close));
    }
    const written = runtime.encodeInto(close, this.#bytes, this.#end);
    return this.#bytes.subarray(0, this.#end + written);
  }

  /** Each kept message's JSON, decoded from the body (for `onError` only). */
  jsons(): string[] {
    const out: string[] = [];
    let start = PREFIX.length;
    for (const end of this.#ends) {
      out.push(decoder.decode(this.#bytes.subarray(start, end)));
      start = end + 1;
    }
    return out;
  }

  #grow(needed: number): void {
    const bytes = this.#shape.runtime.allocBytes(Math.max(needed, this.#bytes.length * 2));
    bytes.set(this.#bytes.subarray(0, this.#end + 1));
    this.#bytes = bytes;
  }
}
