/**
 * The JSON the client promises for a value, computed here without the client's code: Date → ISO
 * text (an invalid Date → null), BigInt → decimal text, Map → object of its entries (keys as
 * text), Set → array, `undefined` dropped from objects and `null` in arrays, own enumerable
 * string keys only (so `__proto__` and `constructor` stay plain data), and a `toJSON` method
 * honoured as `JSON.stringify` does. A function or a symbol value cannot be sent: the call is
 * refused (see {@link hasUnsendable}); here it is left out.
 */
export function expectedJson(value: unknown): unknown {
  const out = convert(value, false, { unsendable: false });
  return out === DROP ? undefined : out;
}

/** Whether the value holds a function or a symbol where the client would have to send it. */
export function hasUnsendable(value: unknown): boolean {
  const found = { unsendable: false };
  convert(value, false, found);
  return found.unsendable;
}

const DROP = Symbol('drop');

function convert(value: unknown, inArray: boolean, found: { unsendable: boolean }): unknown {
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'function':
    case 'symbol':
      found.unsendable = true;
      return inArray ? null : DROP;
    case 'undefined':
      return inArray ? null : DROP;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'string':
    case 'boolean':
      return value;
    default:
      break;
  }
  if (value === null) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function' && !(value instanceof Map) && !(value instanceof Set)) {
    return convert((toJSON as () => unknown).call(value), inArray, found);
  }
  if (Array.isArray(value) || value instanceof Set)
    return Array.from(value as Iterable<unknown>, (item) => convert(item, true, found));
  const entries: [string, unknown][] =
    value instanceof Map
      ? Array.from(value.entries(), ([k, v]) => [String(k), v])
      : Object.keys(value as object).map((k) => [k, (value as Record<string, unknown>)[k]]);
  const out = Object.create(null) as Record<string, unknown>;
  for (const [key, item] of entries) {
    const converted = convert(item, false, found);
    if (converted !== DROP)
      Object.defineProperty(out, key, {
        value: converted,
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return out;
}

/** Nesting depth of containers (objects, arrays, Maps, Sets); `Infinity` for a cycle. */
export function depthOf(value: unknown, ancestors: object[] = []): number {
  if (typeof value !== 'object' || value === null || value instanceof Date) return 0;
  if (ancestors.includes(value)) return Infinity;
  ancestors.push(value);
  let deepest = 0;
  const children =
    value instanceof Map
      ? [...value.values()]
      : value instanceof Set
        ? [...value]
        : Object.values(value);
  for (const child of children) deepest = Math.max(deepest, depthOf(child, ancestors));
  ancestors.pop();
  return deepest + 1;
}
