import { describe, expect, it } from 'vitest';
import { nodeRuntime } from '../runtime/node.js';
import { edgeRuntime } from '../runtime/edge.js';
import { BatchBody, type BatchBodyShape } from './batch-body.js';

const WRITE_KEY = JSON.stringify('key');
const TAIL = `],"writeKey":${WRITE_KEY},"sentAt":"`;
const SENT_AT = '2026-01-01T00:00:00.000Z';
const decoder = new TextDecoder();

function shapeFor(runtime: BatchBodyShape['runtime']): BatchBodyShape {
  return {
    runtime,
    tail: TAIL,
    envelopeBytes: '{"batch":[],"writeKey":,"sentAt":""}'.length + WRITE_KEY.length + 24,
  };
}

function add(body: BatchBody, seq: number, message: unknown): number {
  const bytes = body.write(JSON.stringify(message));
  body.keep(seq, bytes, undefined, undefined);
  return bytes;
}

describe.each([
  ['node', nodeRuntime],
  ['edge', edgeRuntime],
])('BatchBody on the %s runtime', (_name, runtime) => {
  const shape = shapeFor(runtime);

  it('holds the kept messages inside the Segment envelope, in order', () => {
    const body = new BatchBody(shape, 256);
    const messages = [{ event: 'A' }, { event: 'B, with a comma' }, { event: 'C "quoted"' }];
    messages.forEach((m, i) => add(body, i + 1, m));
    const sent = JSON.parse(decoder.decode(body.finish(SENT_AT))) as unknown;
    expect(sent).toEqual({ batch: messages, writeKey: 'key', sentAt: SENT_AT });
    expect(body.count).toBe(3);
    expect(body.firstSeq).toBe(1);
  });

  it('counts each message in UTF-8 bytes, and its size as the whole request body', () => {
    const body = new BatchBody(shape, 64);
    const messages = [{ text: 'é'.repeat(50) }, { text: '日本語' }, { text: '🙂' }];
    let held = 0;
    messages.forEach((m, i) => (held += add(body, i + 1, m)));
    const expected = messages.reduce(
      (n, m) => n + new TextEncoder().encode(JSON.stringify(m)).byteLength,
      0,
    );
    expect(held).toBe(expected);
    expect(body.heldBytes).toBe(expected);
    expect(body.size).toBe(body.finish(SENT_AT).byteLength);
  });

  it('leaves a written message out of the body until it is kept', () => {
    const body = new BatchBody(shape, 256);
    add(body, 1, { event: 'Kept' });
    body.write(JSON.stringify({ event: 'Not kept' }));
    const sent = JSON.parse(decoder.decode(body.finish(SENT_AT))) as { batch: unknown[] };
    expect(sent.batch).toEqual([{ event: 'Kept' }]);
    expect(body.heldBytes).toBe(JSON.stringify({ event: 'Kept' }).length);
  });

  it('grows past its first capacity and keeps what it held', () => {
    const body = new BatchBody(shape, 16);
    const messages = Array.from({ length: 200 }, (_, i) => ({ i, text: 'ü'.repeat(i % 7) }));
    messages.forEach((m, i) => add(body, i + 1, m));
    const sent = JSON.parse(decoder.decode(body.finish(SENT_AT))) as { batch: unknown[] };
    expect(sent.batch).toEqual(messages);
  });

  it('gives the same bytes on every finish but sentAt', () => {
    const body = new BatchBody(shape, 128);
    add(body, 1, { event: 'A' });
    add(body, 2, { event: 'B' });
    const first = decoder.decode(body.finish(SENT_AT));
    const second = decoder.decode(body.finish('2026-01-01T00:00:05.000Z'));
    expect(second).toBe(first.replace(SENT_AT, '2026-01-01T00:00:05.000Z'));
  });

  it("decodes each kept message's own JSON back, for onError", () => {
    const body = new BatchBody(shape, 32);
    const jsons = ['{"a":"x,y"}', '{"b":"é]"}', '{"c":[1,2,3]}'];
    jsons.forEach((json, i) => body.keep(i + 1, body.write(json), undefined, undefined));
    expect(body.jsons()).toEqual(jsons);
  });

  it('keeps outbox refs and callbacks by position, allocating them only when given', () => {
    const body = new BatchBody(shape, 128);
    const done = () => undefined;
    body.keep(1, body.write('{}'), undefined, undefined);
    expect(body.refs).toBeUndefined();
    expect(body.callbacks).toBeUndefined();
    body.keep(2, body.write('{}'), 'ref-2', done);
    expect(body.refs).toEqual([undefined, 'ref-2']);
    expect(body.callbacks).toEqual([undefined, done]);
  });
});
