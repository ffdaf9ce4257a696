/** The memory store's expiry index and its key heap, against naive models. */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { ExpiryBuckets, type ExpiryEntry } from '../src/stores/expiry-buckets.js';
import { KeyHeap } from '../src/stores/key-heap.js';

interface Item extends ExpiryEntry<Item> {
  readonly name: number;
}

const item = (name: number, expiresAt: number): Item => ({ name, expiresAt, prev: null, next: null });

// Few names and expiries, so buckets are shared, emptied and re-created often.
const step = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), name: fc.nat(9), expiresAt: fc.integer({ min: 0, max: 30 }) }),
  fc.record({ kind: fc.constant('move' as const), name: fc.nat(9), expiresAt: fc.integer({ min: 0, max: 30 }) }),
  fc.record({ kind: fc.constant('remove' as const), name: fc.nat(9) }),
  fc.record({ kind: fc.constant('takeFirst' as const) }),
);

describe('ExpiryBuckets', () => {
  test.prop([fc.array(step, { maxLength: 200 })])('first() is always an entry of the earliest expiry, after any sequence', (steps) => {
    const index = new ExpiryBuckets<Item>();
    const linked = new Map<number, Item>();
    const earliest = () => Math.min(...[...linked.values()].map((entry) => entry.expiresAt));
    for (const current of steps) {
      const entry = 'name' in current ? linked.get(current.name) : undefined;
      if (current.kind === 'add' && entry === undefined) {
        const added = item(current.name, current.expiresAt);
        index.add(added);
        linked.set(added.name, added);
      } else if (current.kind === 'move' && entry !== undefined) {
        index.move(entry, current.expiresAt);
      } else if (current.kind === 'remove' && entry !== undefined) {
        index.remove(entry);
        linked.delete(entry.name);
        expect([entry.prev, entry.next]).toEqual([null, null]);
      } else if (current.kind === 'takeFirst') {
        const first = index.first();
        if (first !== undefined) {
          index.remove(first);
          linked.delete(first.name);
        }
      }
      const first = index.first();
      if (linked.size === 0) expect(first).toBeUndefined();
      else {
        expect(first !== undefined && linked.get(first.name)).toBe(first);
        expect(first?.expiresAt).toBe(earliest());
      }
    }
    // Draining hands out every linked entry once, in expiry order.
    const drained: Item[] = [];
    for (let first = index.first(); first !== undefined; first = index.first()) {
      index.remove(first);
      drained.push(first);
    }
    expect(drained.map((entry) => entry.name).sort()).toEqual([...linked.keys()].sort());
    expect(drained.map((entry) => entry.expiresAt)).toEqual(drained.map((entry) => entry.expiresAt).sort((a, b) => a - b));
  });

  test('renewals without a sweep keep the key heap bounded and the order right', () => {
    // One entry renewed to ever later expiries empties and creates a bucket each
    // time; nothing calls first(), so only the rebuild can drop the stale keys.
    const index = new ExpiryBuckets<Item>();
    const renewed = item(0, 0);
    const fixed = item(1, 5_000);
    index.add(renewed);
    index.add(fixed);
    for (let expiresAt = 1; expiresAt <= 10_000; expiresAt++) index.move(renewed, expiresAt);
    expect(index.keyCount).toBeLessThanOrEqual(2 * 2 + 64);
    expect(index.first()).toBe(fixed);
    index.remove(fixed);
    expect(index.first()).toBe(renewed);
  });
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
