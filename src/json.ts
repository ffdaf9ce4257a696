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

/** {@link isJsonValue} over the objects on the current path (`path`): a revisit is a cycle. */
const isJsonWalk = (value: unknown, path: object[]): boolean => {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (path.includes(value)) return false;
      path.push(value);
      if (Array.isArray(value)) {
        for (let index = 0; index < value.length; index++) {
          const item: unknown = value[index];
          // A hole is skipped (it encodes as null), as `every` would.
          if (item === undefined && !(index in value)) continue;
          if (!isJsonWalk(item, path)) return false;
        }
      } else {
        if (!isPlainObject(value)) return false;
        const keys = Object.keys(value);
        for (let index = 0; index < keys.length; index++) {
          if (!isJsonWalk(value[keys[index]!], path)) return false;
        }
      }
      path.pop();
      return true;
    }
    default:
      return false;
  }
};

/**
 * Whether `value` is JSON that survives a round trip unchanged: finite
 * numbers, strings, booleans, null, arrays and plain objects, acyclic
 * (shared, non-cyclic references are fine).
 */
export const isJsonValue = (value: unknown): value is JsonValue => isJsonWalk(value, []);

/** Returned by the fused walk when a `toJSON` method makes the encoding differ from the data. */
const HAS_TO_JSON = -1;

/** UTF-8 bytes of `JSON.stringify(text)`: quotes, escapes, and lone surrogates as `\uXXXX`. */
const jsonStringBytes = (text: string): number => {
  let bytes = 2;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) {
      if (code >= 0x20) bytes += code === 0x22 || code === 0x5c ? 2 : 1;
      // \b \t \n \f \r have two-character escapes; other controls are \u00XX.
      else bytes += code === 0x08 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d ? 2 : 6;
    } else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      const next = index + 1 < text.length ? text.charCodeAt(index + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        index++;
      } else bytes += 6;
    } else if (code >= 0xdc00 && code <= 0xdfff) bytes += 6;
    else bytes += 3;
  }
  return bytes;
};

/** Characters of `JSON.stringify(value)` for a finite number (ASCII, so also its bytes). */
const jsonNumberBytes = (value: number): number => {
  // Integers below 1e21 print as plain digits: count them without making a string.
  if (Number.isInteger(value) && value > -1e21 && value < 1e21) {
    let digits = value < 0 ? 2 : 1;
    const magnitude = Math.abs(value);
    for (let power = 10; magnitude >= power; power *= 10) digits++;
    return digits;
  }
  return String(value).length;
};

/**
 * One walk for {@link isJsonValue} and the UTF-8 length of the encoding:
 * the length, `undefined` when not JSON, or {@link HAS_TO_JSON}. `path`
 * holds the objects being walked (a revisit is a cycle).
 */
const walkJson = (value: unknown, path: object[]): number | undefined => {
  switch (typeof value) {
    case 'string':
      return jsonStringBytes(value);
    case 'boolean':
      return value ? 4 : 5;
    case 'number':
      return Number.isFinite(value) ? jsonNumberBytes(value) : undefined;
    case 'object': {
      if (value === null) return 4;
      if (path.includes(value)) return undefined;
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return HAS_TO_JSON;
      path.push(value);
      let bytes = 2;
      if (Array.isArray(value)) {
        for (let index = 0; index < value.length; index++) {
          const item: unknown = value[index];
          // A hole passes the check (`every` skips it) and encodes as null.
          const size = item === undefined && !(index in value) ? 4 : walkJson(item, path);
          if (size === undefined || size === HAS_TO_JSON) return size;
          bytes += index === 0 ? size : size + 1;
        }
      } else {
        if (!isPlainObject(value)) return undefined;
        const keys = Object.keys(value);
        for (let index = 0; index < keys.length; index++) {
          const key = keys[index]!;
          const size = walkJson(value[key], path);
          if (size === undefined || size === HAS_TO_JSON) return size;
          bytes += jsonStringBytes(key) + 1 + (index === 0 ? size : size + 1);
        }
      }
      path.pop();
      return bytes;
    }
    default:
      return undefined;
  }
};

/**
 * `isJsonValue(value) ? utf8Length(JSON.stringify(value)) : undefined`, in one
 * walk and without building the string: the size check of every heartbeat.
 */
export const jsonByteLength = (value: unknown): number | undefined => {
  const bytes = walkJson(value, []);
  if (bytes !== HAS_TO_JSON) return bytes;
  // A toJSON method (own on an array, or inherited) changes what is encoded: encode it for real.
  return isJsonValue(value) ? utf8Length(JSON.stringify(value)) : undefined;
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
  // map keeps holes as holes.
  if (Array.isArray(value)) return value.map((item) => cloneJson(item)) as Value;
  const source = value as PresenceState;
  const copy: Record<string, JsonValue> = {};
  // for-in over own keys allocates nothing (Object.keys would build an array per
  // object, and every hydrated row's state is cloned).
  for (const key in source) {
    if (!Object.hasOwn(source, key)) continue;
    const item = cloneJson(source[key]!);
    // Assignment is the fast path; a "__proto__" key must stay a plain own key, so it is defined.
    if (key !== '__proto__') copy[key] = item;
    else Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
  }
  return copy as Value;
};
