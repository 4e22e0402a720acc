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
 * (`context`, `properties`, `traits`, `integrations`) can hold what JSON cannot carry, so only it
 * is scanned; the ids, names and times the builder checked are not. The text is then one native
 * `JSON.stringify`: one flat string, the least garbage a serving process can get per message
 * (stitching it from parts was faster in a loop and slower in a server).
 */
export function serializeWireMessage(message: WireMessage): string {
  if (
    isPlainContext(message.context) &&
    isPlainField(message.properties) &&
    isPlainField(message.traits) &&
    isPlainField(message.integrations)
  ) {
    return JSON.stringify(message);
  }
  return JSON.stringify(normalize(message.type, message, '', [], 0));
}

function isPlainContext(context: object): boolean {
  // Most calls outside a request carry nothing but the library, which is the builder's own.
  for (const key in context) {
    if (key !== 'library') return isPlain(context, 1);
  }
  return (context as { library?: unknown }).library === LIBRARY || isPlain(context, 1);
}

function isPlainField(value: object | undefined): boolean {
  return value === undefined || isPlain(value, 1);
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
