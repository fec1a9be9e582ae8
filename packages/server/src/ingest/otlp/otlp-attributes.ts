/** An attribute value as JSON: OTLP's AnyValue with its wrapper removed. */
export type AttributeValue =
  string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };

/** Attributes by key; a Map so that a key such as `__proto__` is only a key. */
export type Attributes = Map<string, AttributeValue>;

/** Deeper values are cut: no legitimate attribute nests this far. */
const MAX_DEPTH = 32;

/**
 * Reads OTLP/JSON `KeyValue[]` (the form both encodings decode to) into a map.
 * Lenient: an entry without a key or with a value of no known kind is skipped,
 * as a collector ignores what it does not understand.
 */
export function readAttributes(keyValues: unknown): Attributes {
  const attributes: Attributes = new Map();
  if (!Array.isArray(keyValues)) return attributes;
  for (const entry of keyValues) {
    if (!isRecord(entry) || typeof entry.key !== 'string') continue;
    const value = readAnyValue(entry.value, 0);
    if (value !== undefined) attributes.set(entry.key, value);
  }
  return attributes;
}

/**
 * OTLP/JSON AnyValue to a JSON value: `{ "stringValue": "a" }` → `"a"`,
 * `{ "intValue": "12" }` → `12` (kept as a string past 2^53), arrays and
 * key-value lists recursively, bytes as their base64 text. Undefined when the
 * value is empty or of no known kind.
 */
export function readAnyValue(value: unknown, depth = 0): AttributeValue | undefined {
  if (!isRecord(value) || depth > MAX_DEPTH) return undefined;
  if (typeof value.stringValue === 'string') return value.stringValue;
  if (typeof value.boolValue === 'boolean') return value.boolValue;
  if (value.intValue !== undefined && value.intValue !== null) return readInteger(value.intValue);
  if (typeof value.doubleValue === 'number') return value.doubleValue;
  if (typeof value.doubleValue === 'string') {
    const number = Number(value.doubleValue);
    return Number.isFinite(number) ? number : value.doubleValue;
  }
  if (isRecord(value.arrayValue)) {
    const values = Array.isArray(value.arrayValue.values) ? value.arrayValue.values : [];
    return values
      .map((item) => readAnyValue(item, depth + 1))
      .filter((item): item is AttributeValue => item !== undefined);
  }
  if (isRecord(value.kvlistValue)) {
    const entries: Array<[string, AttributeValue]> = [];
    const values = Array.isArray(value.kvlistValue.values) ? value.kvlistValue.values : [];
    for (const entry of values) {
      if (!isRecord(entry) || typeof entry.key !== 'string') continue;
      const item = readAnyValue(entry.value, depth + 1);
      if (item !== undefined) entries.push([entry.key, item]);
    }
    return Object.fromEntries(entries);
  }
  if (typeof value.bytesValue === 'string') return value.bytesValue;
  return undefined;
}

function readInteger(value: unknown): AttributeValue | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : undefined;
  if (typeof value !== 'string' || !/^-?\d+$/.test(value)) return undefined;
  const number = Number(value);
  return Number.isSafeInteger(number) ? number : value;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Attributes as a plain object, for metadata. */
export function attributesToObject(attributes: Attributes): Record<string, AttributeValue> {
  return Object.fromEntries(attributes);
}
