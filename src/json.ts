/**
 * JSON helpers for presence state: a structural check that a value is plain
 * JSON, its encoded size, and a deep copy.
 *
 * @module
 */
import type { JsonValue, PresenceState } from './row.js';

/** Whether `value` is a plain object (not an array, not a class instance). */
export const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
};

/**
 * Whether `value` is JSON that survives a round trip unchanged: finite
 * numbers, strings, booleans, null, arrays and plain objects, acyclic.
 */
export const isJsonValue = (value: unknown, seen: Set<object> = new Set()): value is JsonValue => {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (seen.has(value)) return false;
      seen.add(value);
      const ok = Array.isArray(value)
        ? value.every((item) => isJsonValue(item, seen))
        : isPlainObject(value) && Object.values(value).every((item) => isJsonValue(item, seen));
      seen.delete(value);
      return ok;
    }
    default:
      return false;
  }
};

/** UTF-8 byte length of a string, without allocating an encoded copy. */
export const utf8Length = (text: string): number => {
  let bytes = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        index++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
};

/** A deep copy of JSON data. */
export const cloneJson = <Value extends JsonValue>(value: Value): Value => {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => cloneJson(item)) as Value;
  const copy: Record<string, JsonValue> = {};
  for (const key of Object.keys(value)) {
    // defineProperty, not assignment: a "__proto__" key must stay a plain own key.
    Object.defineProperty(copy, key, {
      value: cloneJson((value as PresenceState)[key]!),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy as Value;
};
