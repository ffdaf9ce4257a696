/** withFaults: deterministic, seeded failures that never touch the inner store, and injected latency. */
import fc from 'fast-check';
import { test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { certifyPresenceStore } from '../spec/certify.js';
import { withFaults } from '../spec/faults.js';
import { PresenceError } from '../src/errors.js';
import { presenceRowId, type PresenceRow } from '../src/row.js';
import type { PresenceStore } from '../src/store.js';
import { createSimpleStore } from './stores/simple-store.js';

const instant = async (): Promise<void> => {};

const row = (n: number): PresenceRow => {
  const identity = { scope: 's', channel: 'c', actorId: `a${n}`, sessionId: '' };
  return { id: presenceRowId(identity), ...identity, state: { n }, expiresAt: 100 + n, heartbeatAt: n };
};

/** A store that counts the calls that reached it. */
const counting = (inner: PresenceStore) => {
  const reached: string[] = [];
  const spy = Object.fromEntries(
    Object.entries(inner).map(([name, method]) => [
      name,
      (...args: unknown[]) => {
        reached.push(name);
        return (method as (...parameters: unknown[]) => unknown)(...args);
      },
    ]),
  ) as unknown as PresenceStore;
  return { spy, reached };
};

/** Which of `count` upserts fail, in order. */
const failurePattern = async (store: PresenceStore, count: number): Promise<boolean[]> => {
  const pattern: boolean[] = [];
  for (let n = 0; n < count; n += 1) {
    const failed = await Promise.resolve()
      .then(() => store.upsert(row(n)))
      .then(
        () => false,
        () => true,
      );
    pattern.push(failed);
  }
  return pattern;
};

describe('withFaults', () => {
  it('is transparent at failRate 0: the wrapped clean store still certifies', async () => {
    const report = await certifyPresenceStore({
      create: () => withFaults(createSimpleStore(), { failRate: 0, latencyMs: 3, seed: 1, sleep: instant }),
      numRuns: 10,
      seed: 3,
    });
    expect(report.passed).toBe(true);
  });

  test.prop([fc.integer(), fc.double({ min: 0, max: 1, noNaN: true })])('the same seed fails the same calls', async (seed, failRate) => {
    const first = await failurePattern(withFaults(createSimpleStore(), { failRate, seed }), 40);
    const second = await failurePattern(withFaults(createSimpleStore(), { failRate, seed }), 40);
    expect(second).toEqual(first);
  });

  test.prop([fc.integer(), fc.double({ min: 0, max: 1, noNaN: true }), fc.array(fc.nat(20), { maxLength: 30 })])(
    'a failed call throws STORE_UNAVAILABLE before reaching the store; every other call reaches it once',
    async (seed, failRate, ids) => {
      const inner = createSimpleStore();
      const { spy, reached } = counting(inner);
      const store = withFaults(spy, { failRate, seed });
      const succeeded: number[] = [];
      for (const n of ids) {
        try {
          await store.upsert(row(n));
          succeeded.push(n);
        } catch (error) {
          expect(error).toBeInstanceOf(PresenceError);
          expect((error as PresenceError).code).toBe('STORE_UNAVAILABLE');
        }
      }
      expect(reached).toEqual(succeeded.map(() => 'upsert'));
      const stored = (await inner.rows()).map((stored) => stored.id).sort();
      expect(stored).toEqual([...new Set(succeeded)].map((n) => row(n).id).sort());
    },
  );

  it('fails every call at failRate 1 and none at failRate 0, and about failRate of them in between', async () => {
    expect((await failurePattern(withFaults(createSimpleStore(), { failRate: 1, seed: 5 }), 50)).every(Boolean)).toBe(true);
    expect((await failurePattern(withFaults(createSimpleStore(), { failRate: 0, seed: 5 }), 50)).some(Boolean)).toBe(false);
    const pattern = await failurePattern(withFaults(createSimpleStore(), { failRate: 0.3, seed: 5 }), 2000);
    const rate = pattern.filter(Boolean).length / pattern.length;
    expect(rate).toBeGreaterThan(0.25);
    expect(rate).toBeLessThan(0.35);
  });

  it('waits a seeded delay within [0, latencyMs] before each call reaches the store, and never sleeps at latency 0', async () => {
    const { spy, reached } = counting(createSimpleStore());
    const waits: { ms: number; reachedBefore: number }[] = [];
    const sleep = async (ms: number) => {
      waits.push({ ms, reachedBefore: reached.length });
    };
    const store = withFaults(spy, { failRate: 0, latencyMs: 25, seed: 9, sleep });
    await store.upsert(row(1));
    await store.get(row(1).id);
    await store.channel('s', 'c', 0);
    expect(waits.map((wait) => wait.reachedBefore)).toEqual([0, 1, 2]);
    expect(waits.every((wait) => Number.isInteger(wait.ms) && wait.ms >= 0 && wait.ms <= 25)).toBe(true);
    expect(new Set(waits.map((wait) => wait.ms)).size).toBeGreaterThan(1);

    const quiet: number[] = [];
    const instantStore = withFaults(createSimpleStore(), { failRate: 0, seed: 9, sleep: async (ms) => void quiet.push(ms) });
    await instantStore.rows();
    expect(quiet).toEqual([]);
  });

  it('forwards every method with its arguments', async () => {
    const store = withFaults(createSimpleStore(), { failRate: 0, seed: 2 });
    expect(await store.upsert(row(1))).toEqual(row(1));
    expect(await store.update({ ...row(1), heartbeatAt: 5, state: { n: 5 } })).toMatchObject({ heartbeatAt: 5, state: { n: 5 } });
    expect(await store.channel('s', 'c', 100)).toHaveLength(1);
    expect(await store.sweep(1000, 0)).toEqual([]);
    expect(await store.sweep(1000)).toHaveLength(1);
    expect(await store.get(row(1).id)).toBeUndefined();
    await store.upsert(row(2));
    expect(await store.remove(row(2).id)).toEqual(row(2));
    expect(await store.rows()).toEqual([]);
  });

  it.each([
    [{ failRate: -0.1, seed: 1 }],
    [{ failRate: 1.5, seed: 1 }],
    [{ failRate: Number.NaN, seed: 1 }],
    [{ failRate: 0, latencyMs: -1, seed: 1 }],
    [{ failRate: 0, latencyMs: Number.POSITIVE_INFINITY, seed: 1 }],
  ])('rejects options %j', (options) => {
    expect(() => withFaults(createSimpleStore(), options)).toThrow(RangeError);
  });
});
