/**
 * The pack's side of the optional `PresenceStore.lend`: a patch reads through
 * it when the store has it (and through `get` otherwise), never mutates what
 * it was lent, never hands any object of it on, and treats a broken loan as
 * the store's fault.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { createPresenceHarness } from '../spec/harness.js';
import { createMemoryPresenceStore, type JsonValue, type LentRow, type PresenceRow, type PresenceState, type PresenceStore } from '../src/index.js';

const alice = { userId: 'alice' };

/** Every object and array inside `value`, itself included. */
const containersOf = (value: unknown, into = new Set<object>()): Set<object> => {
  if (typeof value === 'object' && value !== null) {
    into.add(value);
    for (const inner of Object.values(value)) containersOf(inner, into);
  }
  return into;
};

/** Freezes `value` at every depth and returns it. */
const deepFreeze = <Value>(value: Value): Value => {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
};

/** A value as JSON keeps it (-0 becomes 0): what the pack stores of what it is sent. */
const asJson = <Value>(value: Value): Value => JSON.parse(JSON.stringify(value)) as Value;

/** UTF-8 bytes of a value's JSON: what `maxStateBytes` limits. */
const sizeOf = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), 'utf8');

/**
 * The memory store, lending deep-frozen copies (so a write to a loan throws in
 * strict mode) and recording every object it lent, with the calls it got. A
 * loan carries the state's size when `sized()` says so (the exact size, or
 * what `size` makes of it), as a store that knows some rows' sizes and not
 * others' (rows written before it kept sizes, or loaded after a restart).
 */
const lendingStore = (
  sized: () => boolean = () => false,
  size: (state: PresenceState) => number = sizeOf,
): { store: PresenceStore; lent: Set<object>; calls: string[]; written: PresenceRow[] } => {
  const inner = createMemoryPresenceStore();
  const lent = new Set<object>();
  const calls: string[] = [];
  const written: PresenceRow[] = [];
  const store: PresenceStore = {
    ...inner,
    get: (id) => {
      calls.push('get');
      return inner.get(id);
    },
    update: (row) => {
      calls.push('update');
      written.push(row);
      return inner.update(row);
    },
    lend: (id) => {
      calls.push('lend');
      const row = inner.get(id) as PresenceRow | undefined;
      if (row === undefined) return undefined;
      containersOf(row, lent);
      return deepFreeze(sized() ? { ...row, stateBytes: size(row.state) } : row);
    },
  };
  return { store, lent, calls, written };
};

/** States with nested objects and arrays, so a state that shared them with a loan would show. */
const nestedState = fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<JsonValue>, { maxKeys: 4 }).map(
  (entries): PresenceState => ({ ...entries, profile: { name: 'alice', tags: ['a', { deep: [1] }] } }),
);

const patchStep = fc.oneof(
  (fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<JsonValue>).map((cursor) => ({ kind: 'cursor' as const, cursor })),
  fc.boolean().map((typing) => ({ kind: 'typing' as const, typing })),
);

describe('a patch on a store that lends', () => {
  test.prop([nestedState, fc.array(patchStep, { minLength: 1, maxLength: 6 })])(
    'reads through lend, never writes to the loan, writes no object of it, and stores exactly the merge',
    async (initial, steps) => {
      const { store, lent, calls, written } = lendingStore();
      const h = createPresenceHarness({ config: { store } });
      await h.as(alice).heartbeat('doc', { state: initial });
      let expected: PresenceState = asJson(initial);
      for (const step of steps) {
        calls.length = 0;
        h.clock.advance(1);
        const before = lent.size;
        const answer = step.kind === 'cursor' ? await h.as(alice).cursor('doc', step.cursor) : await h.as(alice).typing('doc', step.typing);
        expected =
          step.kind === 'cursor'
            ? { ...expected, cursor: asJson(step.cursor) }
            : { ...expected, typing: step.typing, typingExpiresAt: step.typing ? h.clock.now() + 5_000 : null };
        expect(calls.filter((call) => call === 'lend')).toHaveLength(1);
        expect(lent.size).toBeGreaterThan(before);
        // The written state is the merge, as its own copy: no object of any loan in it.
        const row = written.at(-1)!;
        expect([...containersOf(row.state)].filter((object) => lent.has(object))).toEqual([]);
        expect(answer.state).toEqual(expected);
        expect((await store.get(answer.id))?.state).toEqual(expected);
      }
    },
  );

  it('reads through get instead when the store has no lend, and a missing row is NOT_PRESENT either way', async () => {
    // The engine reads the stored row through get for its update rule: count the pack's reads beside it.
    const reads = async (lends: boolean): Promise<string[]> => {
      const { store, calls } = lendingStore();
      const { lend: _lend, ...withoutLend } = store;
      const h = createPresenceHarness({ config: { store: lends ? store : withoutLend } });
      await expect(h.as(alice).cursor('doc', { x: 1 })).rejects.toMatchObject({ code: 'NOT_PRESENT' });
      await h.as(alice).heartbeat('doc');
      calls.length = 0;
      await h.as(alice).cursor('doc', { x: 1 });
      return calls.filter((call) => call !== 'update');
    };
    const lent = await reads(true);
    expect(lent.filter((call) => call === 'lend')).toHaveLength(1);
    expect(await reads(false)).toEqual([...lent.filter((call) => call === 'get'), 'get']);
  });

  test.prop([
    nestedState,
    fc.array(fc.tuple(patchStep, fc.boolean()), { minLength: 1, maxLength: 6 }),
    fc.integer({ min: 0, max: 48 }),
    fc.constantFrom('memory', 'some sizes known'),
  ])(
    'the size limit is exact whether a loan says its size or not: a patch is refused iff its merged state is over the limit',
    async (initial, steps, slack, kind) => {
      let sized = false;
      const store = kind === 'memory' ? createMemoryPresenceStore() : lendingStore(() => sized).store;
      const maxStateBytes = sizeOf(initial) + slack;
      const h = createPresenceHarness({ config: { store, limits: { maxStateBytes } } });
      await h.as(alice).heartbeat('doc', { state: initial });
      let expected: PresenceState = asJson(initial);
      for (const [step, knowsSize] of steps) {
        sized = knowsSize;
        h.clock.advance(1);
        const merged: PresenceState =
          step.kind === 'cursor'
            ? { ...expected, cursor: asJson(step.cursor) }
            : { ...expected, typing: step.typing, typingExpiresAt: step.typing ? h.clock.now() + 5_000 : null };
        const answer = step.kind === 'cursor' ? h.as(alice).cursor('doc', step.cursor) : h.as(alice).typing('doc', step.typing);
        if (sizeOf(merged) > maxStateBytes) await expect(answer).rejects.toMatchObject({ code: 'STATE_TOO_LARGE' });
        else {
          await expect(answer).resolves.toMatchObject({ state: merged });
          expected = merged;
        }
        const [row] = await store.rows();
        expect(row?.state).toEqual(expected);
      }
    },
  );

  it('counts from the size the loan gives, without walking the state: a size one byte too large refuses the patch that fits', async () => {
    const state = { name: 'n'.repeat(30), tags: ['é', { deep: '😀' }] };
    const patched = { ...state, cursor: { x: 1 } };
    for (const [error, accepted] of [
      [0, true],
      [1, false],
    ] as const) {
      const { store } = lendingStore(
        () => true,
        (stored) => sizeOf(stored) + error,
      );
      const h = createPresenceHarness({ config: { store, limits: { maxStateBytes: sizeOf(patched) } } });
      await h.as(alice).heartbeat('doc', { state });
      const answer = h.as(alice).cursor('doc', { x: 1 });
      if (accepted) await expect(answer).resolves.toMatchObject({ state: patched });
      else await expect(answer).rejects.toMatchObject({ code: 'STATE_TOO_LARGE' });
    }
  });

  it('a merged state over the size limit is refused, counted over the lent state and the patch together', async () => {
    const { store } = lendingStore();
    const h = createPresenceHarness({ config: { store, limits: { maxStateBytes: 64 } } });
    // {"name":"<30 characters>"} is 41 bytes; with ,"cursor":"<12 characters>" it is 65.
    await h.as(alice).heartbeat('doc', { state: { name: 'n'.repeat(30) } });
    await expect(h.as(alice).cursor('doc', 'c'.repeat(12))).rejects.toMatchObject({ code: 'STATE_TOO_LARGE' });
    await expect(h.as(alice).cursor('doc', 'c'.repeat(11))).resolves.toMatchObject({ state: { name: 'n'.repeat(30), cursor: 'c'.repeat(11) } });
  });
});

describe('a loan whose state is not JSON', () => {
  const cyclic = (): Record<string, unknown> => {
    const node: Record<string, unknown> = { n: 1 };
    node['self'] = node;
    return node;
  };
  const states: [string, () => Record<string, unknown>][] = [
    ['a number that is not finite', () => ({ name: 'a', score: Number.NaN })],
    ['an undefined value', () => ({ name: 'a', gone: undefined })],
    ['a cycle the patch keeps', () => ({ name: 'a', graph: cyclic() })],
    ['a cycle the patch replaces', () => ({ name: 'a', cursor: cyclic() })],
    ['nesting deeper than the limit', () => ({ name: 'a', deep: { a: { b: { c: { d: { e: { f: { g: { h: 1 } } } } } } } } })],
  ];
  /** A cursor patch over a loan of `state`, with or without a size: its answer's code, or `written`. */
  const outcome = async (state: () => Record<string, unknown>, stateBytes: number | undefined): Promise<string> => {
    const inner = createMemoryPresenceStore();
    const store: PresenceStore = {
      ...inner,
      lend: (id) => {
        const row = inner.lend!(id) as LentRow;
        const fields = { id: row.id, scope: row.scope, channel: row.channel, actorId: row.actorId, sessionId: row.sessionId };
        return { ...fields, state: state() as LentRow['state'], expiresAt: row.expiresAt, heartbeatAt: row.heartbeatAt, ...(stateBytes === undefined ? {} : { stateBytes }) };
      },
    };
    const h = createPresenceHarness({ config: { store, limits: { maxStateDepth: 4 } } });
    await h.as(alice).heartbeat('doc', { state: { name: 'a' } });
    return h
      .as(alice)
      .cursor('doc', { x: 1 })
      .then(
        () => 'written',
        (error: { code?: string }) => error.code ?? 'uncoded',
      );
  };
  for (const [what, state] of states) {
    it(`holding ${what} is judged alike whether the loan gives a size or not: the full check decides`, async () => {
      const unsized = await outcome(state, undefined);
      expect(await outcome(state, 40)).toBe(unsized);
      // What the patch replaces is never written, so only a value it keeps can refuse it.
      if (what === 'a cycle the patch replaces') expect(unsized).toBe('written');
      else expect(unsized).toMatch(/^(INVALID_STATE|STATE_TOO_LARGE)$/);
    });
  }
});

describe('a broken loan is the store fault', () => {
  const broken: [string, (row: LentRow) => unknown][] = [
    ['null', () => null],
    ['a row of another id', (row) => ({ ...row, id: `${row.id}x` })],
    ['string times', (row) => ({ ...row, expiresAt: String(row.expiresAt) })],
    ['a state that is an array', (row) => ({ ...row, state: [] })],
    ['a state size that is not a whole number', (row) => ({ ...row, stateBytes: 7.5 })],
    ['a state size below that of {}', (row) => ({ ...row, stateBytes: 1 })],
  ];
  for (const [what, corrupt] of broken) {
    it(`lend answering ${what} fails the patch with STORE_UNAVAILABLE and writes nothing`, async () => {
      const inner = createMemoryPresenceStore();
      const store: PresenceStore = { ...inner, lend: (id) => corrupt(inner.lend!(id) as LentRow) as LentRow };
      const h = createPresenceHarness({ config: { store } });
      const first = await h.as(alice).heartbeat('doc', { state: { a: 1 } });
      await expect(h.as(alice).cursor('doc', { x: 1 })).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringContaining('lend') as unknown });
      expect(await inner.get(first.id)).toEqual(first);
    });
  }
});
