/** The memory store's expiry index and its key heap, against naive models. */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { ExpiryBuckets, type ExpiryEntry } from '../src/stores/expiry-buckets.js';
import { KeyHeap } from '../src/stores/key-heap.js';

interface Item extends ExpiryEntry<Item> {
  readonly name: number;
}

const item = (name: number, expiresAt: number): Item => ({ name, expiresAt, filedAt: expiresAt, prev: null, next: null });

// Few names and expiries, so buckets are shared, emptied and re-created often.
const step = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), name: fc.nat(9), expiresAt: fc.integer({ min: 0, max: 30 }) }),
  fc.record({ kind: fc.constant('extend' as const), name: fc.nat(9), expiresAt: fc.integer({ min: 0, max: 30 }) }),
  fc.record({ kind: fc.constant('remove' as const), name: fc.nat(9) }),
  fc.record({ kind: fc.constant('takeFirst' as const) }),
);

describe('ExpiryBuckets', () => {
  test.prop([fc.array(step, { maxLength: 200, size: 'large' })])('expired(Infinity) is always an entry of the earliest expiry, after any sequence', (steps) => {
    const index = new ExpiryBuckets<Item>();
    const linked = new Map<number, Item>();
    const earliest = () => Math.min(...[...linked.values()].map((entry) => entry.expiresAt));
    for (const current of steps) {
      const entry = 'name' in current ? linked.get(current.name) : undefined;
      if (current.kind === 'add' && entry === undefined) {
        const added = item(current.name, current.expiresAt);
        index.add(added);
        linked.set(added.name, added);
      } else if (current.kind === 'extend' && entry !== undefined) {
        index.extend(entry, current.expiresAt);
      } else if (current.kind === 'remove' && entry !== undefined) {
        index.remove(entry);
        linked.delete(entry.name);
        expect([entry.prev, entry.next]).toEqual([null, null]);
      } else if (current.kind === 'takeFirst') {
        const first = index.expired(Infinity);
        if (first !== undefined) {
          index.remove(first);
          linked.delete(first.name);
        }
      }
      const first = index.expired(Infinity);
      if (linked.size === 0) expect(first).toBeUndefined();
      else {
        expect(first !== undefined && linked.get(first.name)).toBe(first);
        expect(first?.expiresAt).toBe(earliest());
      }
    }
    // Draining hands out every linked entry once, in expiry order.
    const drained: Item[] = [];
    for (let first = index.expired(Infinity); first !== undefined; first = index.expired(Infinity)) {
      index.remove(first);
      drained.push(first);
    }
    expect(drained.map((entry) => entry.name).sort()).toEqual([...linked.keys()].sort());
    expect(drained.map((entry) => entry.expiresAt)).toEqual(drained.map((entry) => entry.expiresAt).sort((a, b) => a - b));
  });

  test('renewals without a sweep make no bucket and no key; rejoins without a sweep keep the key heap bounded', () => {
    // One entry renewed to ever later expiries stays filed where it was: no
    // bucket and no key is made until a sweep reaches it.
    const index = new ExpiryBuckets<Item>();
    const renewed = item(0, 0);
    const fixed = item(1, 5_000);
    index.add(renewed);
    index.add(fixed);
    for (let expiresAt = 1; expiresAt <= 10_000; expiresAt++) index.extend(renewed, expiresAt);
    expect(index.keyCount).toBe(2);
    expect([renewed.filedAt, renewed.expiresAt]).toEqual([0, 10_000]);
    expect(index.expired(Infinity)).toBe(fixed);
    // The stale filing was re-filed under its true expiry on the way.
    expect(renewed.filedAt).toBe(10_000);
    index.remove(fixed);
    expect(index.expired(Infinity)).toBe(renewed);
    // A row that leaves and rejoins at ever later expiries empties and creates
    // a bucket each time; nothing pops the emptied keys, so only the rebuild
    // keeps the heap within twice the buckets plus the slack.
    for (let expiresAt = 10_001; expiresAt <= 20_000; expiresAt++) {
      index.remove(renewed);
      renewed.expiresAt = expiresAt;
      index.add(renewed);
    }
    expect(index.keyCount).toBeLessThanOrEqual(2 * 1 + 64);
    expect(index.expired(Infinity)).toBe(renewed);
  });

  test('a sweep re-files a renewed entry it reaches early and returns only what is due, earliest first', () => {
    const index = new ExpiryBuckets<Item>();
    const [a, b, c] = [item(0, 10), item(1, 10), item(2, 12)];
    for (const entry of [a, b, c]) index.add(entry);
    index.extend(a, 20);
    index.extend(b, 11);
    // Bucket 10 is due at 11: a is stale (20), b is stale (11) and due.
    expect(index.expired(11)).toBe(b);
    expect([a.filedAt, b.filedAt]).toEqual([20, 11]);
    index.remove(b);
    expect(index.expired(11)).toBeUndefined();
    expect(index.expired(19)).toBe(c);
    index.remove(c);
    expect(index.expired(19)).toBeUndefined();
    expect(index.expired(20)).toBe(a);
    // A lower expiry is ignored: expiries only grow.
    index.extend(a, 5);
    expect(a.expiresAt).toBe(20);
  });
});

// Sweeps, renewals (equal, growing or lower) and removals against a model of
// expiries: few names and a short time range, so filings go stale often.
const sweepStep = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), name: fc.nat(11), expiresAt: fc.integer({ min: 0, max: 40 }) }),
  fc.record({ kind: fc.constant('extend' as const), name: fc.nat(11), by: fc.integer({ min: -3, max: 15 }) }),
  fc.record({ kind: fc.constant('remove' as const), name: fc.nat(11) }),
  fc.record({ kind: fc.constant('sweep' as const), now: fc.integer({ min: 0, max: 60 }), limit: fc.option(fc.nat(4), { nil: undefined }) }),
);

describe('ExpiryBuckets against a model of expiries', () => {
  test.prop([fc.array(sweepStep, { minLength: 10, maxLength: 300, size: 'large' })])(
    'a sweep takes exactly the min(limit, due) earliest entries with expiresAt <= now, each filed in one bucket, never above its expiry',
    (steps) => {
      const index = new ExpiryBuckets<Item>();
      const linked = new Map<number, Item>();
      const model = new Map<number, number>();
      for (const current of steps) {
        if (current.kind === 'add' && !linked.has(current.name)) {
          const added = item(current.name, current.expiresAt);
          index.add(added);
          linked.set(added.name, added);
          model.set(added.name, added.expiresAt);
        } else if (current.kind === 'extend' && linked.has(current.name)) {
          const entry = linked.get(current.name)!;
          index.extend(entry, entry.expiresAt + current.by);
          model.set(current.name, Math.max(model.get(current.name)!, model.get(current.name)! + current.by));
        } else if (current.kind === 'remove' && linked.has(current.name)) {
          index.remove(linked.get(current.name)!);
          linked.delete(current.name);
          model.delete(current.name);
        } else if (current.kind === 'sweep') {
          const limit = current.limit ?? Infinity;
          const due = [...model.values()].filter((expiresAt) => expiresAt <= current.now).sort((x, y) => x - y);
          const swept: number[] = [];
          while (swept.length < limit) {
            const next = index.expired(current.now);
            if (next === undefined) break;
            index.remove(next);
            linked.delete(next.name);
            expect(model.get(next.name)).toBe(next.expiresAt);
            model.delete(next.name);
            swept.push(next.expiresAt);
          }
          expect(swept).toEqual(due.slice(0, Math.min(limit, due.length)));
        }
        for (const entry of linked.values()) {
          expect(entry.expiresAt).toBe(model.get(entry.name));
          expect(entry.filedAt).toBeLessThanOrEqual(entry.expiresAt);
        }
      }
      // Every linked entry is handed out once (each is in exactly one bucket), in expiry order.
      const drained: Item[] = [];
      for (let next = index.expired(Infinity); next !== undefined; next = index.expired(Infinity)) {
        index.remove(next);
        expect(drained).not.toContain(next);
        drained.push(next);
      }
      expect(drained.map((entry) => entry.name).sort((x, y) => x - y)).toEqual([...model.keys()].sort((x, y) => x - y));
      expect(drained.map((entry) => entry.expiresAt)).toEqual(drained.map((entry) => entry.expiresAt).sort((x, y) => x - y));
    },
  );
});

describe('KeyHeap', () => {
  test.prop([fc.array(fc.oneof(fc.integer(), fc.constant('pop' as const)), { maxLength: 100 }), fc.array(fc.integer(), { maxLength: 30 })])(
    'pops keys in ascending order, duplicates included, after a reset or any pushes',
    (steps, initial) => {
      const heap = new KeyHeap();
      heap.reset(initial);
      const model = [...initial];
      for (const current of steps) {
        if (current === 'pop') {
          heap.pop();
          model.sort((a, b) => a - b).shift();
        } else {
          heap.push(current);
          model.push(current);
        }
        expect(heap.size).toBe(model.length);
        expect(heap.peek()).toBe(model.length === 0 ? undefined : Math.min(...model));
      }
    },
  );
});
