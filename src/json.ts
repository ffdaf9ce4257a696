/**
 * JSON helpers for presence state: one bounded, iterative snapshot that
 * checks a value is plain JSON and measures its encoding while copying it,
 * and a deep copy of data already checked.
 *
 * @module
 */
import type { JsonValue, PresenceState } from './row.js';

/** Whether `value` is a plain object (not an array, not a class instance); never throws. */
export const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null) return false;
  try {
    const proto = Object.getPrototypeOf(value) as unknown;
    return proto === Object.prototype || proto === null;
  } catch {
    // A revoked proxy or a throwing trap is no plain object.
    return false;
  }
};

/** UTF-8 bytes of `JSON.stringify(text)`: quotes, escapes, and lone surrogates as `\uXXXX`. */
export const jsonStringBytes = (text: string): number => {
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

/** How far a {@link snapshotJson} walk may go before it gives up. */
export interface JsonBounds {
  /** Deepest nesting of objects and arrays; the value itself is depth 1. */
  maxDepth: number;
  /** Largest encoding, in UTF-8 bytes of its JSON. */
  maxBytes: number;
}

/** Why a value has no snapshot: not plain JSON (or unreadable), nested too deep, or too large. */
export type JsonProblem = 'not-json' | 'too-deep' | 'too-large';

/** A plain copy of JSON data and the UTF-8 length of its encoding, or why there is none. */
export type JsonSnapshot = { ok: true; value: JsonValue; bytes: number } | { ok: false; problem: JsonProblem };

/** An object or array being copied: what is read, what is written, and how far. */
class Frame {
  index = 0;

  /**
   * @param source - what is read
   * @param target - what is written
   * @param keys - the object's own keys, read once; `undefined` for an array
   * @param length - how many entries
   */
  constructor(
    readonly source: Record<string, unknown> | unknown[],
    readonly target: Record<string, JsonValue> | JsonValue[],
    readonly keys: string[] | undefined,
    readonly length: number,
  ) {}
}

/** Sets a key on a fresh copy; `__proto__` must stay a plain own key, so it is defined. */
export const setKey = (target: Record<string, JsonValue>, key: string, item: JsonValue): void => {
  if (key !== '__proto__') target[key] = item;
  else Object.defineProperty(target, key, { value: item, enumerable: true, writable: true, configurable: true });
};

/** Thrown inside the walk to stop it; never escapes {@link snapshotJson}. */
class Stop {
  constructor(readonly problem: JsonProblem) {}
}

/**
 * Below this depth a cycle is found by scanning the open frames, which costs
 * less than a `Set` for the shallow states presence carries; deeper, the walk
 * keeps a `Set` of the objects on its path, so a deep value costs O(1) per object.
 */
const PATH_SCAN_DEPTH = 16;

/**
 * One walk of {@link snapshotJson}: its bounds, its count and its open
 * frames. A class rather than closures, so a call allocates one object for
 * its state, not a function context and two closures (the walk runs on every
 * heartbeat, patch and store write).
 */
class Walk {
  bytes = 0;
  readonly stack: Frame[] = [];
  /** The objects on the current path, once it is deeper than {@link PATH_SCAN_DEPTH}. */
  path: Set<object> | undefined = undefined;

  constructor(readonly bounds: JsonBounds) {}

  count(size: number): void {
    this.bytes += size;
    if (this.bytes > this.bounds.maxBytes) throw new Stop('too-large');
  }

  /** Whether `value` is an object on the current path: a revisit is a cycle (shared, acyclic references are fine). */
  onPath(value: object): boolean {
    if (this.path !== undefined) return this.path.has(value);
    const { stack } = this;
    for (let index = 0; index < stack.length; index++) if (stack[index]!.source === value) return true;
    return false;
  }

  push(frame: Frame): void {
    const { stack } = this;
    stack.push(frame);
    if (this.path !== undefined) this.path.add(frame.source);
    else if (stack.length > PATH_SCAN_DEPTH) this.path = new Set(stack.map((open) => open.source));
  }

  pop(): void {
    const frame = this.stack.pop()!;
    this.path?.delete(frame.source);
  }

  /** The copy of a primitive, or a fresh container whose frame is pushed. */
  copyOf(value: unknown): JsonValue {
    switch (typeof value) {
      case 'string':
        this.count(jsonStringBytes(value));
        return value;
      case 'boolean':
        this.count(value ? 4 : 5);
        return value;
      case 'number':
        if (!Number.isFinite(value)) throw new Stop('not-json');
        this.count(jsonNumberBytes(value));
        return value === 0 ? 0 : value;
      case 'object': {
        if (value === null) {
          this.count(4);
          return null;
        }
        if (this.onPath(value)) throw new Stop('not-json');
        if (this.stack.length + 1 > this.bounds.maxDepth) throw new Stop('too-deep');
        this.count(2);
        if (Array.isArray(value)) {
          const length: unknown = value.length;
          if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) throw new Stop('not-json');
          const target: JsonValue[] = [];
          this.push(new Frame(value, target, undefined, length));
          return target;
        }
        if (!isPlainObject(value)) throw new Stop('not-json');
        const keys = Object.keys(value);
        const target: Record<string, JsonValue> = {};
        this.push(new Frame(value, target, keys, keys.length));
        return target;
      }
      default:
        throw new Stop('not-json');
    }
  }

  /** Copies `root`, frame by frame, until no frame is open. */
  run(root: unknown): JsonValue {
    const value = this.copyOf(root);
    this.drain();
    return value;
  }

  /** Copies the open frames' remaining entries until no frame is open. */
  drain(): void {
    const { stack } = this;
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      if (frame.index >= frame.length) {
        this.pop();
        continue;
      }
      const index = frame.index++;
      if (index > 0) this.count(1);
      if (frame.keys === undefined) {
        const source = frame.source as unknown[];
        const item: unknown = source[index];
        // A hole encodes as null; an own `undefined` is not JSON.
        (frame.target as JsonValue[]).push(item === undefined && !(index in source) ? (this.count(4), null) : this.copyOf(item));
      } else {
        const key = frame.keys[index]!;
        this.count(jsonStringBytes(key) + 1);
        setKey(frame.target as Record<string, JsonValue>, key, this.copyOf((frame.source as Record<string, unknown>)[key]));
      }
    }
  }
}

const NOT_JSON: JsonSnapshot = { ok: false, problem: 'not-json' };
const TOO_LARGE: JsonSnapshot = { ok: false, problem: 'too-large' };

/**
 * {@link snapshotJson} of a plain object, without a walk while its values
 * are primitives (a presence state usually is: a name, a colour, a flag).
 * At the first object or array value the walk takes over where this loop
 * stopped, with the root as its open frame, so each property is still read
 * exactly once and the bounds, cycle check and result are the walk's.
 */
const snapshotObject = (root: Record<string, unknown>, bounds: JsonBounds): JsonSnapshot => {
  if (bounds.maxDepth < 1) return { ok: false, problem: 'too-deep' };
  const { maxBytes } = bounds;
  let bytes = 2;
  if (bytes > maxBytes) return TOO_LARGE;
  const keys = Object.keys(root);
  const target: Record<string, JsonValue> = {};
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    // The comma, the key and its colon: the walk counts them in this order.
    if (index > 0 && ++bytes > maxBytes) return TOO_LARGE;
    bytes += jsonStringBytes(key) + 1;
    if (bytes > maxBytes) return TOO_LARGE;
    let item = root[key];
    switch (typeof item) {
      case 'string':
        bytes += jsonStringBytes(item);
        break;
      case 'boolean':
        bytes += item ? 4 : 5;
        break;
      case 'number':
        if (!Number.isFinite(item)) return NOT_JSON;
        bytes += jsonNumberBytes(item);
        if (item === 0) item = 0;
        break;
      case 'object': {
        if (item === null) {
          bytes += 4;
          break;
        }
        const walk = new Walk(bounds);
        walk.bytes = bytes;
        const frame = new Frame(root, target, keys, keys.length);
        frame.index = index + 1;
        walk.push(frame);
        setKey(target, key, walk.copyOf(item));
        walk.drain();
        return { ok: true, value: target, bytes: walk.bytes };
      }
      default:
        return NOT_JSON;
    }
    if (bytes > maxBytes) return TOO_LARGE;
    setKey(target, key, item as JsonValue);
  }
  return { ok: true, value: target, bytes };
};

/**
 * Reads `root` exactly once, iteratively, into a plain copy: each property is
 * read once (a getter, proxy trap or `toJSON` cannot show the check one value
 * and the store another), holes become `null` and `-0` becomes `0` (what JSON
 * encodes), and the walk stops as soon as a bound is crossed, so its cost is
 * proportional to `maxBytes`, not to the input (a sparse array of length
 * 2^32 - 1 or a graph of shared references stops at the limit). No recursion:
 * any depth is refused in constant stack. A throwing getter or trap means
 * `not-json`.
 */
export const snapshotJson = (root: unknown, bounds: JsonBounds): JsonSnapshot => {
  try {
    if (isPlainObject(root)) return snapshotObject(root, bounds);
    const walk = new Walk(bounds);
    const value = walk.run(root);
    return { ok: true, value, bytes: walk.bytes };
  } catch (error) {
    return { ok: false, problem: error instanceof Stop ? error.problem : 'not-json' };
  }
};

/**
 * UTF-8 bytes of `JSON.stringify(value)` without copying it, or `undefined`
 * when it is not plain JSON nested at most `maxDepth` levels (the value itself
 * is depth 1) or is over `maxBytes`. For data a store or a check already holds
 * (no getters to read once): the depth bound also ends a cycle and bounds the
 * recursion, the byte bound ends a huge sparse array.
 */
export const measureJson = (value: unknown, maxDepth: number, maxBytes = Infinity): number | undefined => {
  let bytes: number;
  switch (typeof value) {
    case 'string':
      bytes = jsonStringBytes(value);
      break;
    case 'boolean':
      bytes = value ? 4 : 5;
      break;
    case 'number':
      if (!Number.isFinite(value)) return undefined;
      bytes = jsonNumberBytes(value);
      break;
    case 'object': {
      if (value === null) {
        bytes = 4;
        break;
      }
      if (maxDepth < 1) return undefined;
      bytes = 2;
      if (Array.isArray(value)) {
        const items = value as unknown[];
        for (let index = 0; index < items.length && bytes <= maxBytes; index++) {
          const item = items[index];
          // A hole encodes as null, as in a snapshot.
          const size = item === undefined && !(index in items) ? 4 : measureJson(item, maxDepth - 1, maxBytes - bytes);
          if (size === undefined) return undefined;
          bytes += size + (index === 0 ? 0 : 1);
        }
        break;
      }
      if (!isPlainObject(value)) return undefined;
      let first = true;
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue;
        const size = measureJson(value[key], maxDepth - 1, maxBytes - bytes);
        if (size === undefined) return undefined;
        bytes += jsonStringBytes(key) + 1 + size + (first ? 0 : 1);
        first = false;
        if (bytes > maxBytes) return undefined;
      }
      break;
    }
    default:
      return undefined;
  }
  return bytes > maxBytes ? undefined : bytes;
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

/**
 * A deep copy of JSON data that passed {@link snapshotJson} (or a store's own
 * check): its depth is bounded there, so the recursion here is too.
 */
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

/**
 * Whether two JSON values are equal: same types, same array items in order,
 * same object keys in any order. Recursion is bounded by the depth checks
 * every stored state passed.
 */
export const sameJson = (left: JsonValue, right: JsonValue): boolean => {
  if (left === right) return true;
  if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) return false;
  if (Array.isArray(left) || Array.isArray(right)) {
    return Array.isArray(left) && Array.isArray(right) && left.length === right.length && left.every((item, index) => sameJson(item, right[index]!));
  }
  const keys = Object.keys(left);
  return keys.length === Object.keys(right).length && keys.every((key) => Object.hasOwn(right, key) && sameJson(left[key]!, right[key]!));
};
