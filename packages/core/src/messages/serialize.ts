import { ValidationError } from '../errors.js';
import { LIBRARY } from '../version.js';
import type { WireMessage } from './types.js';

const MAX_DEPTH = 64;

/**
 * Serializes a message once, converting what JSON cannot carry instead of losing it:
 * `Date` → ISO text, `BigInt` → decimal string, `Map` → object of its entries, `Set` → array,
 * `Error` → `{ name, message }`, `Uint8Array` / `Buffer` / `ArrayBuffer` / `DataView` → base64
 * text, other typed arrays → arrays of numbers, `undefined` keys dropped (array items → `null`).
 * A function or a symbol cannot be sent and is refused, as is a circular reference or nesting
 * deeper than 64 levels: each is an error naming the path.
 *
 * The common case (plain data) takes the fast path: one cheap scan, then native `JSON.stringify`.
 */
export function serializeMessage(method: string, message: object): string {
  if (isPlain(message, 0)) return JSON.stringify(message);
  return JSON.stringify(normalize(method, message, '', [], 0));
}

/**
 * Serializes a message as `buildMessage` made it (privacy rules may have changed its `context` and
 * `properties` since): the same text as {@link serializeMessage}, for less. Only the caller's data
 * (`context`, `properties`, `traits`, `integrations`) is scanned and stringified as data; the ids,
 * names and times the builder checked are strings, and a `context` that holds only the library
 * is a constant. The keys come in the builder's order, so the text is byte for byte the same.
 */
export function serializeWireMessage(message: WireMessage): string {
  const type = message.type;
  let json = `{"type":"${type}","messageId":${JSON.stringify(message.messageId)},"timestamp":${JSON.stringify(message.timestamp)},"context":${contextJson(type, message.context)}`;
  if (message.previousId !== undefined)
    json += `,"previousId":${JSON.stringify(message.previousId)}`;
  if (message.userId !== undefined) json += `,"userId":${JSON.stringify(message.userId)}`;
  if (message.anonymousId !== undefined)
    json += `,"anonymousId":${JSON.stringify(message.anonymousId)}`;
  if (message.event !== undefined) json += `,"event":${JSON.stringify(message.event)}`;
  if (message.name !== undefined) json += `,"name":${JSON.stringify(message.name)}`;
  if (message.category !== undefined) json += `,"category":${JSON.stringify(message.category)}`;
  if (message.groupId !== undefined) json += `,"groupId":${JSON.stringify(message.groupId)}`;
  if (message.properties !== undefined)
    json += `,"properties":${dataJson(type, 'properties', message.properties)}`;
  if (message.traits !== undefined) json += `,"traits":${dataJson(type, 'traits', message.traits)}`;
  if (message.integrations !== undefined)
    json += `,"integrations":${dataJson(type, 'integrations', message.integrations)}`;
  return `${json}}`;
}

const LIBRARY_CONTEXT_JSON = JSON.stringify({ library: LIBRARY });

function contextJson(method: string, context: object): string {
  // Most calls outside a request carry nothing but the library.
  for (const key in context) {
    if (key !== 'library') return dataJson(method, 'context', context);
  }
  return (context as { library?: unknown }).library === LIBRARY
    ? LIBRARY_CONTEXT_JSON
    : dataJson(method, 'context', context);
}

function dataJson(method: string, path: string, value: object): string {
  if (isPlain(value, 1)) return JSON.stringify(value);
  return JSON.stringify(normalize(method, value, path, [], 1));
}

/**
 * True when native JSON.stringify gives exactly what `normalize` would. It runs on every call, so
 * it keeps no ancestor list: a cycle never ends, so it trips the depth bound and takes the slow
 * path, which names the circular path. Primitives are checked in place, without a call each.
 */
function isPlain(value: object, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!isPlainMember(value[i], depth)) return false;
    }
    return true;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value instanceof Date;
  for (const key in value) {
    if (!isPlainMember((value as Record<string, unknown>)[key], depth)) return false;
  }
  return true;
}

function isPlainMember(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'object':
      return value === null || isPlain(value, depth + 1);
    case 'bigint':
    case 'function':
    case 'symbol':
      return false;
    default:
      return true;
  }
}

function normalize(
  method: string,
  value: unknown,
  path: string,
  ancestors: object[],
  depth: number,
): unknown {
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'function':
    case 'symbol':
      throw new ValidationError(
        path,
        `${method}: "${path}" is a ${typeof value}, which cannot be sent; convert it to data or remove it`,
      );
    case 'object':
      break;
    default:
      return value;
  }
  if (value === null) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (value instanceof ArrayBuffer) return toBase64(new Uint8Array(value));
  if (ArrayBuffer.isView(value)) {
    if (value instanceof Uint8Array || value instanceof DataView) {
      return toBase64(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    }
    return Array.from(value as unknown as ArrayLike<unknown>, (n) =>
      typeof n === 'bigint' ? n.toString() : n,
    );
  }
  if (ancestors.includes(value)) {
    throw new ValidationError(
      path,
      `${method}: "${path}" is a circular reference; messages must be trees`,
    );
  }
  if (depth > MAX_DEPTH) {
    throw new ValidationError(
      path,
      `${method}: "${path}" is nested deeper than ${MAX_DEPTH} levels`,
    );
  }
  ancestors.push(value);
  let out: unknown;
  if (Array.isArray(value) || value instanceof Set) {
    out = Array.from(value as Iterable<unknown>, (item, i) => {
      const v = normalize(method, item, join(path, String(i)), ancestors, depth + 1);
      return v === undefined ? null : v;
    });
  } else if (value instanceof Map) {
    out = normalizeEntries(method, value.entries(), path, ancestors, depth);
  } else if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    out = normalize(
      method,
      (value as { toJSON: () => unknown }).toJSON(),
      path,
      ancestors,
      depth + 1,
    );
  } else {
    out = normalizeEntries(method, Object.entries(value), path, ancestors, depth);
  }
  ancestors.pop();
  return out;
}

function normalizeEntries(
  method: string,
  entries: Iterable<[unknown, unknown]>,
  path: string,
  ancestors: object[],
  depth: number,
): Record<string, unknown> {
  // A null-prototype object: a "__proto__" key stays data and cannot pollute anything.
  const out = Object.create(null) as Record<string, unknown>;
  for (const [rawKey, item] of entries) {
    const key = String(rawKey);
    const v = normalize(method, item, join(path, key), ancestors, depth + 1);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}
