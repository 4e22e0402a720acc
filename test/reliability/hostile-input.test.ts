import { Analytics, AnalyticsError, ValidationError, type WireMessage } from '@tributary/core';
import { startCollector } from '@tributary/collector';
import fc from 'fast-check';
import { rmSync, writeFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { captureLogger } from './helpers/capture-logger.js';
import { depthOf, expectedJson, hasUnsendable } from './helpers/expected-json.js';
import { describeCounts, Ledger } from './helpers/ledger.js';
import { recordResult } from './helpers/results.js';
import { runSeed, size, SOAK } from './helpers/sizes.js';

type Method = 'track' | 'identify' | 'page' | 'group' | 'alias';

/** One generated call: the method and its raw fields, some of them hostile. */
interface HostileCall {
  method: Method;
  userId: unknown;
  anonymousId: unknown;
  groupId: unknown;
  previousId: unknown;
  event: unknown;
  name: unknown;
  payload: unknown;
  timestamp: unknown;
  idSuffix: string;
}

const LIMIT = 32 * 1024;
const FAILURES_FILE = new URL('./results/hostile-failures.txt', import.meta.url).pathname;

// ---- arbitraries ------------------------------------------------------------------------------

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  {
    weight: 1,
    arbitrary: fc
      .array(
        fc.oneof(
          loneSurrogate,
          fc.constantFrom('😀', '👨‍👩‍👧', 'é', 'a', '\u0000', '"', '\\', '</script>'),
        ),
        { maxLength: 8 },
      )
      .map((parts) => parts.join('')),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '<script>alert(1)</script>',
      '${7*7}',
      '{{constructor.constructor("x")()}}',
      '\u2028\u2029',
      '',
    ),
  },
);
const hugeString = fc
  .tuple(fc.integer({ min: 1_000, max: 48_000 }), fc.constantFrom('a', 'é', '😀', '\ud800', '"'))
  .map(([n, unit]) => unit.repeat(Math.ceil(n / unit.length)));
const hostileKey = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      'hasOwnProperty',
      'valueOf',
      '__defineGetter__',
      'toJSON',
      '0',
      '1',
      '',
    ),
  },
  { weight: 1, arbitrary: loneSurrogate },
);
const leaf = fc.oneof(
  { weight: 5, arbitrary: text },
  { weight: 2, arbitrary: fc.double() },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.bigInt() },
  { weight: 2, arbitrary: fc.date() },
  { weight: 1, arbitrary: fc.constant(() => 'a function') },
  { weight: 1, arbitrary: fc.constant(Symbol('s')) },
);

/** An object whose keys are own data properties, even `__proto__`. */
function objectOf(entries: [string, unknown][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries)
    Object.defineProperty(out, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return out;
}

const tree = fc.letrec<{
  value: unknown;
  object: Record<string, unknown>;
  array: unknown[];
  map: Map<unknown, unknown>;
  set: Set<unknown>;
}>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    leaf,
    tie('object'),
    tie('array'),
    tie('map'),
    tie('set'),
  ),
  object: fc.array(fc.tuple(hostileKey, tie('value')), { maxLength: 5 }).map(objectOf),
  array: fc.array(tie('value'), { maxLength: 5 }),
  map: fc
    .uniqueArray(fc.tuple(fc.oneof(hostileKey, fc.integer().map(String)), tie('value')), {
      maxLength: 4,
      selector: ([k]) => k,
    })
    .map((entries) => new Map(entries)),
  set: fc.array(tie('value'), { maxLength: 4 }).map((items) => new Set(items)),
}));

/** The properties / traits of a call: mostly a random tree, sometimes a cycle, a deep chain, a shared node, a huge string. */
const payload = fc.oneof(
  { weight: 10, arbitrary: tree.object },
  {
    weight: 2,
    arbitrary: fc
      .tuple(tree.object, fc.constantFrom('self', 'map', 'set', 'array'))
      .map(([root, via]) => {
        const holder =
          via === 'map'
            ? new Map([['back', root]])
            : via === 'set'
              ? new Set([root])
              : via === 'array'
                ? [root]
                : root;
        return objectOf([...Object.entries(root), ['cycle', holder]]);
      }),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.integer({ min: 1, max: 120 }), fc.boolean(), leaf)
      .map(([depth, arrays, bottom]) => {
        let node: unknown = bottom;
        for (let i = 0; i < depth; i++) node = arrays && i % 2 === 0 ? [node] : { n: node };
        return { deep: node };
      }),
  },
  {
    weight: 1,
    arbitrary: tree.object.map((shared) => ({ a: shared, b: [shared, { again: shared }] })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(hugeString, tree.object)
      .map(([big, rest]) => objectOf([...Object.entries(rest), ['big', big]])),
  },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.constant(null),
      fc.constant(undefined),
      tree.array,
      tree.map,
      text,
      fc.integer(),
    ),
  },
);

const anyId = fc.oneof(
  { weight: 6, arbitrary: text },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.bigInt() },
  { weight: 1, arbitrary: fc.maxSafeNat().map((n) => n * 1_000) },
  { weight: 2, arbitrary: fc.constantFrom(null, undefined, '', true, false, NaN, Infinity) },
  {
    weight: 1,
    arbitrary: fc.oneof(fc.constant({}), fc.constant([]), fc.date(), fc.constant(Symbol('id'))),
  },
);

const timestamp = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.date() },
  {
    weight: 2,
    arbitrary: fc
      .date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) })
      .map((d) => d.toISOString()),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) }),
        fc.integer({ min: -12, max: 14 }),
      )
      .map(
        ([d, h]) =>
          `${d.toISOString().slice(0, 19)}${h < 0 ? '-' : '+'}${String(Math.abs(h)).padStart(2, '0')}:00`,
      ),
  },
  {
    weight: 1,
    arbitrary: fc
      .date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) })
      .map((d) => d.toISOString().slice(0, 10)),
  },
  {
    weight: 2,
    arbitrary: fc.oneof(
      text,
      fc.integer(),
      fc.constant(null),
      fc.constant('2024-13-45T99:99:99Z'),
      fc.constant('yesterday'),
    ),
  },
);

const call: fc.Arbitrary<HostileCall> = fc.record({
  method: fc.constantFrom<Method>('track', 'track', 'track', 'identify', 'page', 'group', 'alias'),
  userId: anyId,
  anonymousId: fc.oneof(fc.constant(undefined), anyId),
  groupId: anyId,
  previousId: anyId,
  event: fc.oneof({ weight: 8, arbitrary: text }, { weight: 1, arbitrary: anyId }),
  name: fc.oneof(fc.constant(undefined), text, anyId),
  payload,
  timestamp,
  idSuffix: fc.oneof(fc.constant(''), text),
});

// ---- what the client promised, computed independently -----------------------------------------

/** A date, a time, and an offset; anything less names no instant and is refused (#16). */
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-](\d{2}):?(\d{2}))$/i;

type Verdict =
  | { kind: 'accept' }
  | { kind: 'reject'; codes: Set<string> }
  | { kind: 'either'; codes: Set<string> };

const ABSENT = Symbol('absent');
const INVALID = Symbol('invalid');
const NOW = Symbol('now');

/** An id as the wire carries it, ABSENT, or INVALID. */
function wireId(value: unknown): string | typeof ABSENT | typeof INVALID {
  if (value === undefined || value === null) return ABSENT;
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return INVALID;
    return Number.isInteger(value) ? BigInt(value).toString() : String(value);
  }
  return INVALID;
}

function wireTimestamp(value: unknown): string | typeof NOW | typeof INVALID {
  if (value === undefined) return NOW;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? INVALID : value.toISOString();
  const m = typeof value === 'string' ? ISO.exec(value.trim()) : null;
  if (m === null) return INVALID;
  const [, y, mo, d, h, mi, sec = '00', fraction = ''] = m;
  const utc = new Date(Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +sec));
  // A date that is not on the calendar (30 February, hour 24) rolls over: refused, not rolled.
  if (
    utc.getUTCMonth() !== +mo! - 1 ||
    utc.getUTCDate() !== +d! ||
    utc.getUTCHours() !== +h! ||
    utc.getUTCMinutes() !== +mi! ||
    utc.getUTCSeconds() !== +sec ||
    (m[9] !== undefined && (+m[9] > 23 || +m[10]! > 59))
  )
    return INVALID;
  const zone = m[8]!.toUpperCase() === 'Z' ? 'Z' : `${m[8]!.slice(0, 3)}:${m[10]}`;
  return new Date(
    `${y}-${mo}-${d}T${h}:${mi}:${sec}.${`${fraction}000`.slice(0, 3)}${zone}`,
  ).toISOString();
}

function isPlainObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

interface Expectation {
  verdict: Verdict;
  /** The wire message the client must have stored, minus `timestamp` (checked apart) and `context`. */
  fields: Record<string, unknown>;
  timestamp: string | typeof NOW;
}

function expectationOf(c: HostileCall, messageId: string): Expectation {
  const must = new Set<string>();
  const may = new Set<string>();
  const fields: Record<string, unknown> = { type: c.method, messageId };
  const ids: [string, unknown][] =
    c.method === 'alias'
      ? [
          ['previousId', c.previousId],
          ['userId', c.userId],
        ]
      : c.method === 'group'
        ? [
            ['userId', c.userId],
            ['anonymousId', c.anonymousId],
            ['groupId', c.groupId],
          ]
        : [
            ['userId', c.userId],
            ['anonymousId', c.anonymousId],
          ];
  for (const [field, raw] of ids) {
    const id = wireId(raw);
    if (id === INVALID) must.add('VALIDATION_FAILED');
    else if (id !== ABSENT) fields[field] = id;
  }
  // An id must be non-empty: Segment (and the collector) drop a message whose only id is "".
  // A blank id (empty or only whitespace) is refused even beside a valid one.
  const present = (field: string) =>
    typeof fields[field] === 'string' && (fields[field] as string).trim() !== '';
  for (const [field] of ids) if (field in fields && !present(field)) must.add('VALIDATION_FAILED');
  if (c.method === 'alias') {
    if (!present('previousId') || !present('userId')) must.add('VALIDATION_FAILED');
  } else if (!present('userId') && !present('anonymousId')) must.add('VALIDATION_FAILED');
  if (c.method === 'group' && !present('groupId')) must.add('VALIDATION_FAILED');

  const ts = wireTimestamp(c.timestamp);
  if (ts === INVALID) must.add('VALIDATION_FAILED');

  const payloadField =
    c.method === 'identify' || c.method === 'group'
      ? 'traits'
      : c.method === 'alias'
        ? undefined
        : 'properties';
  if (c.method === 'track') {
    if (typeof c.event !== 'string' || c.event.trim() === '') must.add('VALIDATION_FAILED');
    else fields.event = c.event;
  }
  if (c.method === 'page') {
    if (c.name !== undefined && c.name !== null && typeof c.name !== 'string')
      must.add('VALIDATION_FAILED');
    else if (typeof c.name === 'string') fields.name = c.name;
  }
  if (payloadField !== undefined) {
    if (c.payload === undefined || c.payload === null) fields[payloadField] = {};
    else if (!isPlainObject(c.payload)) must.add('VALIDATION_FAILED');
    else {
      const depth = depthOf(c.payload);
      if (depth === Infinity) must.add('VALIDATION_FAILED');
      else {
        // A function or a symbol cannot be sent: refused, never silently dropped.
        if (hasUnsendable(c.payload)) must.add('VALIDATION_FAILED');
        // The message itself is level 0 and the payload level 1; the limit is 64 levels.
        if (depth > 66) must.add('VALIDATION_FAILED');
        else if (depth > 60) may.add('VALIDATION_FAILED');
        fields[payloadField] = expectedJson(c.payload);
      }
    }
  }
  {
    // Which check fires first is the client's business: a message both invalid and too large may get either code.
    const bytes = Buffer.byteLength(
      JSON.stringify({
        ...fields,
        timestamp: '2024-01-01T00:00:00.000Z',
        context: { library: { name: 'tributary-node', version: '0.0.0' } },
      }),
    );
    if (bytes > LIMIT + 400) (must.size > 0 ? may : must).add('MESSAGE_TOO_LARGE');
    else if (bytes > LIMIT - 400) may.add('MESSAGE_TOO_LARGE');
  }
  const verdict: Verdict =
    must.size > 0
      ? { kind: 'reject', codes: new Set([...must, ...may]) }
      : may.size > 0
        ? { kind: 'either', codes: may }
        : { kind: 'accept' };
  return { verdict, fields, timestamp: ts === INVALID ? NOW : ts };
}

function invoke(analytics: Analytics, c: HostileCall, messageId: string): boolean {
  const base = { messageId, timestamp: c.timestamp };
  switch (c.method) {
    case 'track':
      return analytics.track({
        ...base,
        userId: c.userId,
        anonymousId: c.anonymousId,
        event: c.event,
        properties: c.payload,
      } as never);
    case 'identify':
      return analytics.identify({
        ...base,
        userId: c.userId,
        anonymousId: c.anonymousId,
        traits: c.payload,
      } as never);
    case 'page':
      return analytics.page({
        ...base,
        userId: c.userId,
        anonymousId: c.anonymousId,
        name: c.name,
        properties: c.payload,
      } as never);
    case 'group':
      return analytics.group({
        ...base,
        userId: c.userId,
        anonymousId: c.anonymousId,
        groupId: c.groupId,
        traits: c.payload,
      } as never);
    case 'alias':
      return analytics.alias({ ...base, previousId: c.previousId, userId: c.userId } as never);
  }
}

/** A short, printable description of a generated call for failure messages. */
function show(value: unknown): string {
  const s = inspect(value, {
    depth: 6,
    maxArrayLength: 8,
    maxStringLength: 80,
    breakLength: Infinity,
    compact: true,
  });
  return s.length > 1_500 ? `${s.slice(0, 1_500)}…` : s;
}

describe('hostile input', () => {
  it(
    'returns true and stores exactly the promised JSON, or returns false with a clear error, for every generated call',
    async () => {
      const seed = runSeed();
      const numRuns = size(10_000, 50_000);
      console.log(
        `[reliability] hostile-input seed ${seed}, ${numRuns} calls (replay: TRIBUTARY_SEED=${seed})`,
      );
      const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
      const collector = await startCollector({ port: 0, memory: true });
      const ledger = new Ledger('hostile');
      const errorsById = new Map<string, AnalyticsError>();
      const analytics = new Analytics({
        writeKey: 'reliability-hostile-key',
        host: collector.url,
        flushAt: 100,
        flushInterval: 50,
        maxQueueSize: 100_000,
        onError: (error, messages) => {
          ledger.onError(error, messages);
          for (const m of messages)
            if (typeof m.messageId === 'string') errorsById.set(m.messageId, error);
        },
        logger: captureLogger({ keep: 0 }),
      });
      const started = Date.now();
      const booked: {
        id: string;
        call: HostileCall;
        expectation: Expectation;
        before: string;
        at: string;
      }[] = [];
      const controls: string[] = [];
      const verdictMismatches: string[] = [];
      let n = 0;
      try {
        fc.assert(
          fc.property(call, (c) => {
            const id = `${ledger.nextId()}${c.idSuffix}`;
            const expectation = expectationOf(c, id);
            const snapshot = JSON.stringify(expectedJson(c.payload) ?? null);
            const at = new Date(Date.now() - 1).toISOString();
            let ok: boolean;
            try {
              ok = ledger.call(id, () => invoke(analytics, c, id));
            } catch (error) {
              throw new Error(`the call threw: ${String(error)}`);
            }
            // The client must not change what it was given.
            if (JSON.stringify(expectedJson(c.payload) ?? null) !== snapshot)
              throw new Error('the call mutated its input');
            if (ok) {
              if (expectation.verdict.kind === 'reject') {
                verdictMismatches.push(
                  `accepted, but should be refused (${[...expectation.verdict.codes].join('/')}): ${show(c)}`,
                );
              }
              booked.push({ id, call: c, expectation, before: snapshot, at });
            } else {
              const error = errorsById.get(id);
              if (!(error instanceof AnalyticsError))
                throw new Error(`refused without an AnalyticsError through onError: ${show(c)}`);
              if (!(error instanceof ValidationError))
                throw new Error(
                  `refused with a ${error.name} (${error.code}), not a ValidationError`,
                );
              // A clear error: names the method and the field, and says what was wrong.
              if (
                !error.message.startsWith(`${c.method}: `) ||
                error.message.length < 20 ||
                error.field === ''
              ) {
                throw new Error(`unclear error "${error.message}" (field "${error.field}")`);
              }
              if (expectation.verdict.kind === 'accept') {
                verdictMismatches.push(
                  `refused with ${error.code} "${error.message}", but should be accepted: ${show(c)}`,
                );
              } else if (!expectation.verdict.codes.has(error.code)) {
                verdictMismatches.push(
                  `refused with ${error.code} "${error.message}", expected ${[...expectation.verdict.codes].join('/')}: ${show(c)}`,
                );
              }
            }
            // A well-behaved message after every few hostile ones must be unaffected.
            if (++n % 5 === 0) {
              const controlId = ledger.nextId();
              controls.push(controlId);
              ledger.call(controlId, () =>
                analytics.track({
                  userId: 'control',
                  event: 'Control',
                  messageId: controlId,
                  properties: { n },
                }),
              );
            }
          }),
          { seed, numRuns, endOnFailure: true },
        );
      } finally {
        await analytics.close({ timeout: 60_000 });
      }

      const book = ledger.reconcile(collector);
      const stored = new Map<string, Record<string, unknown>>();
      for (const event of collector.events())
        stored.set(String(event.message.messageId), event.message);
      const contentMismatches: string[] = [];
      for (const { id, call: c, expectation, at } of booked) {
        const message = stored.get(id);
        if (message === undefined) continue; // counted as lost or reported by the ledger
        for (const [field, value] of Object.entries(expectation.fields)) {
          if (JSON.stringify(message[field]) !== JSON.stringify(value)) {
            contentMismatches.push(
              `${id}: ${field} stored ${show(message[field])}, promised ${show(value)}; call ${show(c)}`,
            );
          }
        }
        const ts = message.timestamp;
        const tsOk =
          expectation.timestamp === NOW
            ? typeof ts === 'string' && ts >= at && ts.endsWith('Z')
            : ts === expectation.timestamp;
        if (!tsOk)
          contentMismatches.push(
            `${id}: timestamp stored ${String(ts)}, promised ${String(expectation.timestamp)}`,
          );
        const library = (message.context as { library?: { name?: string } } | undefined)?.library;
        if (typeof library?.name !== 'string')
          contentMismatches.push(`${id}: context.library missing`);
      }
      const controlsIntact = controls.filter((id) => {
        const m = stored.get(id);
        return m !== undefined && m.event === 'Control' && m.userId === 'control';
      }).length;
      const lostDescribed = book.lost.slice(0, 5).map((id) => {
        const entry = booked.find((b) => b.id === id);
        return `${JSON.stringify(id)}: ${entry ? show(entry.call) : 'control'}`;
      });

      recordResult({
        id: 'hostile-input',
        title: `Hostile input (fast-check, ${numRuns} generated calls + ${controls.length} controls)`,
        sent: book.sent,
        accepted: book.accepted,
        delivered: book.delivered,
        duplicated: book.duplicated,
        reported: book.refused + book.reportedUndelivered,
        lost: book.lost.length,
        notes:
          `seed ${seed}; refused: ${describeCounts(book.refusedByCode)}; verdict mismatches ${verdictMismatches.length}; ` +
          `content mismatches ${contentMismatches.length}; controls intact ${controlsIntact}/${controls.length}; ` +
          `collector invalid: ${describeCounts(collector.stats().invalid)}`,
        durationMs: Date.now() - started,
      });
      await collector.close();
      const failures = [
        ...book.lost
          .slice(0, 50)
          .map(
            (id) => `LOST ${JSON.stringify(id)}: ${show(booked.find((b) => b.id === id)?.call)}`,
          ),
        ...verdictMismatches.slice(0, 100).map((m) => `VERDICT ${m}`),
        ...contentMismatches.slice(0, 100).map((m) => `CONTENT ${m}`),
      ];
      if (failures.length > 0) {
        writeFileSync(FAILURES_FILE, `seed ${seed}\n\n${failures.join('\n\n')}\n`);
        console.log(
          `[reliability] hostile-input: details of ${failures.length} failures in ${FAILURES_FILE}`,
        );
      } else rmSync(FAILURES_FILE, { force: true });

      expect(
        book.lost,
        `accepted but neither stored nor reported (seed ${seed}):\n${lostDescribed.join('\n')}`,
      ).toEqual([]);
      expect(verdictMismatches.slice(0, 5), `seed ${seed}`).toEqual([]);
      expect(contentMismatches.slice(0, 5), `seed ${seed}`).toEqual([]);
      expect(controlsIntact).toBe(controls.length);
      expect(book.phantom).toEqual([]);
      expect(book.refusedButStored).toEqual([]);
      expect(book.reportedUndelivered).toBe(0);
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      // Something of every kind was generated and judged.
      expect(book.accepted).toBeGreaterThan(numRuns / 4);
      expect(book.refused).toBeGreaterThan(numRuns / 20);
      expect(book.refusedByCode.MESSAGE_TOO_LARGE ?? 0).toBeGreaterThan(0);
    },
    SOAK ? 900_000 : 150_000,
  );

  it('keeps working after hostile calls: WireMessage handed to onError is the call as given', () => {
    const seen: WireMessage[][] = [];
    const analytics = new Analytics({
      send: false,
      onError: (_e, messages) => seen.push(messages),
      logger: captureLogger({ keep: 0 }),
    });
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    expect(analytics.track({ userId: 'u', event: 'E', properties: circular })).toBe(false);
    expect(seen.at(-1)?.length).toBe(1);
    expect(analytics.track({ userId: 'u', event: 'E', properties: { ok: 1n } })).toBe(true);
  });
});
