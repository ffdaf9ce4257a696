import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { cloneJson, isPlainObject, measureJson, snapshotJson, utf8Length } from '../src/json.js';
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

/** The data of a value that passed `naiveIsJson`, as JSON keeps it: holes as null, -0 as 0, own keys only. */
const naiveCopy = (value: unknown): unknown => {
  if (typeof value === 'number') return value === 0 ? 0 : value;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return Array.from(value, (item) => (item === undefined ? null : naiveCopy(item)));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, naiveCopy(item)]));
};

const unbounded = { maxDepth: Infinity, maxBytes: Infinity };

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
  test.prop([values], { numRuns: 2000 })('snapshotJson accepts exactly what a naive check calls JSON', (value) => {
    expect(snapshotJson(value, unbounded).ok).toBe(naiveIsJson(value));
  });

  test.prop([values], { numRuns: 2000 })('a snapshot is the data as plain JSON, and its bytes are the UTF-8 size of its encoding', (value) => {
    const snapshot = snapshotJson(value, unbounded);
    if (!snapshot.ok) return;
    expect(snapshot.value).toStrictEqual(naiveCopy(value));
    expect(snapshot.bytes).toBe(Buffer.byteLength(JSON.stringify(snapshot.value), 'utf8'));
  });

  test.prop([fc.jsonValue({ maxDepth: 6 })])('a byte bound is exact: at the size it passes, one byte under it is too-large', (value) => {
    const { bytes } = snapshotJson(value, unbounded) as { bytes: number };
    expect(snapshotJson(value, { maxDepth: Infinity, maxBytes: bytes })).toMatchObject({ ok: true, bytes });
    expect(snapshotJson(value, { maxDepth: Infinity, maxBytes: bytes - 1 })).toEqual({ ok: false, problem: 'too-large' });
  });

  test.prop([fc.integer({ min: 1, max: 300 })])('a depth bound is exact, for arrays and objects alike', (depth) => {
    let nested: unknown = 1;
    for (let level = 0; level < depth; level++) nested = level % 2 === 0 ? [nested] : { n: nested };
    expect(snapshotJson(nested, { maxDepth: depth, maxBytes: Infinity }).ok).toBe(true);
    expect(snapshotJson(nested, { maxDepth: depth - 1, maxBytes: Infinity })).toEqual({ ok: false, problem: 'too-deep' });
  });

  it('refuses 100 000 levels of nesting without recursing', () => {
    let nested: unknown = {};
    for (let level = 0; level < 100_000; level++) nested = { n: nested };
    expect(snapshotJson(nested, { maxDepth: 64, maxBytes: 8192 })).toEqual({ ok: false, problem: 'too-deep' });
    // Unbounded too: the walk keeps its path on the heap, not the stack.
    expect(snapshotJson(nested, unbounded).ok).toBe(true);
  });

  it('stops at the byte limit: a sparse array of length 2^32 - 1 and a graph of shared references cost the limit, not their size', () => {
    // Each element is at least one byte of JSON: the walk reads no more than maxBytes of them.
    const sparse = new Array<unknown>(2 ** 32 - 1);
    let reads = 0;
    const counted = new Proxy(sparse, { get: (target, key) => (reads++, Reflect.get(target, key)) });
    expect(snapshotJson(counted, { maxDepth: 64, maxBytes: 8192 })).toEqual({ ok: false, problem: 'too-large' });
    expect(reads).toBeLessThan(8192);
    // 2^26 leaves behind 26 levels of shared pairs.
    let graph: unknown = 'leaf';
    for (let level = 0; level < 26; level++) graph = [graph, graph];
    expect(snapshotJson(graph, { maxDepth: 64, maxBytes: 8192 })).toEqual({ ok: false, problem: 'too-large' });
  });

  it('reads every property once, so a getter cannot show the check one value and the copy another', () => {
    let reads = 0;
    const tricky = {
      get name() {
        reads++;
        return reads === 1 ? 'small' : 'x'.repeat(100_000);
      },
    };
    const snapshot = snapshotJson(tricky, { maxDepth: 64, maxBytes: 100 });
    expect(snapshot).toEqual({ ok: true, value: { name: 'small' }, bytes: 16 });
    expect(reads).toBe(1);
  });

  it('reads every property once when an object value hands the copy of a flat prefix over to the walk', () => {
    const reads: string[] = [];
    const counted = (key: string, value: unknown) => ({ enumerable: true, get: () => (reads.push(key), value) });
    const root = Object.defineProperties({}, { a: counted('a', 'x'), b: counted('b', { c: [1, -0] }), d: counted('d', true) });
    expect(snapshotJson(root, unbounded)).toEqual({ ok: true, value: { a: 'x', b: { c: [1, 0] }, d: true }, bytes: 34 });
    expect(reads).toEqual(['a', 'b', 'd']);
    // A value that is the root itself is a cycle, found by the walk that took over.
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    expect(snapshotJson(cyclic, unbounded)).toEqual({ ok: false, problem: 'not-json' });
  });

  it('a throwing getter, a throwing proxy trap and a revoked proxy are not JSON', () => {
    const throwing = Object.defineProperty({}, 'x', { enumerable: true, get: () => { throw new Error('boom'); } });
    const trap = new Proxy({}, { ownKeys: () => { throw new Error('trap'); } });
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    for (const value of [throwing, trap, proxy, [throwing]]) expect(snapshotJson(value, unbounded)).toEqual({ ok: false, problem: 'not-json' });
  });

  test.prop([values, fc.integer({ min: 0, max: 6 })], { numRuns: 1000 })(
    'measureJson is the snapshot byte count of the same value and depth, without a copy; undefined where the snapshot fails',
    (value, depth) => {
      const snapshot = snapshotJson(value, { maxDepth: depth, maxBytes: Infinity });
      expect(measureJson(value, depth)).toBe(snapshot.ok ? snapshot.bytes : undefined);
      if (!snapshot.ok) return;
      expect(measureJson(value, depth, snapshot.bytes)).toBe(snapshot.bytes);
      expect(measureJson(value, depth, snapshot.bytes - 1)).toBeUndefined();
    },
  );

  it('measureJson stops at its byte bound: a sparse array of length 2^32 - 1 costs the bound, not its length', () => {
    expect(measureJson(new Array<unknown>(2 ** 32 - 1), 2, 8192)).toBeUndefined();
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
    expect(snapshotJson({ x: shared, y: shared }, unbounded)).toEqual({ ok: true, value: { x: shared, y: shared }, bytes: 25 });
    expect(snapshotJson(cyclic, unbounded)).toEqual({ ok: false, problem: 'not-json' });
    expect(snapshotJson([cyclic], unbounded)).toEqual({ ok: false, problem: 'not-json' });
  });

  // Shallow paths are scanned, deep ones kept in a set (from depth 17): both must see exactly the cycles.
  test.prop([fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 39 }), fc.boolean()])(
    'at any depth, a reference back to an open ancestor is a cycle and a reference to a closed sibling is not',
    (depth, back, array) => {
      const target = Math.min(back, depth - 1);
      // A chain of `depth` containers; the innermost also holds a sibling branch that closed before it.
      const chain: (Record<string, unknown> | unknown[])[] = [];
      for (let level = 0; level < depth; level++) chain.push(array && level % 2 === 1 ? [] : {});
      const put = (container: Record<string, unknown> | unknown[], key: string, value: unknown): void => {
        if (Array.isArray(container)) container.push(value);
        else container[key] = value;
      };
      const sibling = { closed: true };
      for (let level = 0; level + 1 < depth; level++) {
        put(chain[level]!, 'before', sibling);
        put(chain[level]!, 'next', chain[level + 1]);
      }
      const innermost = chain[depth - 1]!;
      put(innermost, 'shared', sibling);
      expect(snapshotJson(chain[0], unbounded).ok).toBe(true);
      put(innermost, 'back', chain[target]);
      expect(snapshotJson(chain[0], unbounded)).toEqual({ ok: false, problem: 'not-json' });
    },
  );

  it('plain objects are the ones with Object.prototype or no prototype', () => {
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject(Object.create(null))).toBe(true);
    expect(isPlainObject([])).toBe(false);
    expect(isPlainObject(new Date())).toBe(false);
    expect(isPlainObject(null)).toBe(false);
  });
});
