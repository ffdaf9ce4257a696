import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { cloneJson, isJsonValue, isPlainObject, jsonByteLength, utf8Length } from '../src/json.js';
import type { JsonValue } from '../src/row.js';

/** An independent, obviously-correct notion of "plain JSON that round-trips". */
const naiveIsJson = (value: unknown, seen: object[] = []): boolean => {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object' || seen.includes(value)) return false;
  const inner = [...seen, value];
  if (Array.isArray(value)) return Array.prototype.every.call(value, (item: unknown) => naiveIsJson(item, inner));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(value).every((item) => naiveIsJson(item, inner));
};

const numbers = fc.oneof(
  fc.double(),
  fc.constantFrom(0, -0, 1e21, -1e21, 999999999999999900000, 5e-7, 1e-7, -1.5, Number.MAX_VALUE, Number.MIN_VALUE, Number.NaN, Infinity),
  fc.integer(),
);
const strings = fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('\u0000\b\t\n\f\r\u001f"\\', '\ud800', '\udc00x', '😀', 'é€'));
const weird = fc.constantFrom<unknown>(
  new Date(0),
  Object.assign([1, 2], { toJSON: () => 'x' }),
  { toJSON: () => 1 },
  Object.create(null) as object,
  [undefined],
  // A sparse array: holes encode as null.
  Object.assign(new Array<unknown>(3), { 2: 1 }),
  new Map(),
  Symbol('s'),
  10n,
  () => 1,
);
const values: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    numbers,
    strings,
    fc.boolean(),
    fc.constant(null),
    weird,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(strings, tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('JSON helpers', () => {
  test.prop([values], { numRuns: 2000 })('isJsonValue agrees with a naive check', (value) => {
    expect(isJsonValue(value)).toBe(naiveIsJson(value));
  });

  test.prop([values], { numRuns: 2000 })('jsonByteLength is the UTF-8 size of JSON.stringify, or undefined for non-JSON', (value) => {
    const expected = naiveIsJson(value) ? Buffer.byteLength(JSON.stringify(value), 'utf8') : undefined;
    expect(jsonByteLength(value)).toBe(expected);
  });

  test.prop([fc.string({ unit: 'binary' })])('utf8Length equals the bytes Buffer encodes, lone surrogates included', (text) => {
    expect(utf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'));
  });

  test.prop([fc.jsonValue() as fc.Arbitrary<JsonValue>])('cloneJson is deep-equal and shares no object with its source', (value) => {
    const copy = cloneJson(value);
    expect(copy).toStrictEqual(value);
    // Same keys in the same order: the store compares states key by key, and JSON output must not change.
    expect(JSON.stringify(copy)).toBe(JSON.stringify(value));
    const objects = (root: unknown, into: Set<unknown>) => {
      if (typeof root === 'object' && root !== null) {
        into.add(root);
        for (const item of Object.values(root)) objects(item, into);
      }
      return into;
    };
    const mine = objects(value, new Set());
    for (const object of objects(copy, new Set())) expect(mine.has(object)).toBe(false);
  });

  it('cloneJson copies own keys only, never an enumerable key inherited from a prototype', () => {
    const source = Object.assign(Object.create({ inherited: 1 }) as Record<string, JsonValue>, { own: 2 });
    expect(Object.keys(cloneJson(source as JsonValue) as object)).toEqual(['own']);
  });

  it('cycles are not JSON, but shared references are', () => {
    const shared = { a: 1 };
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(isJsonValue({ x: shared, y: shared })).toBe(true);
    expect(jsonByteLength({ x: shared, y: shared })).toBe(JSON.stringify({ x: shared, y: shared }).length);
    expect(isJsonValue(cyclic)).toBe(false);
    expect(jsonByteLength(cyclic)).toBeUndefined();
    expect(jsonByteLength([cyclic])).toBeUndefined();
  });

  it('plain objects are the ones with Object.prototype or no prototype', () => {
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject(Object.create(null))).toBe(true);
    expect(isPlainObject([])).toBe(false);
    expect(isPlainObject(new Date())).toBe(false);
    expect(isPlainObject(null)).toBe(false);
  });
});
