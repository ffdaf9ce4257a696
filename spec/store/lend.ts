/**
 * The optional `lend`: `get` without the copy. A lent row must read exactly
 * as `get` does at that moment and stay so until the next write, whatever
 * reads come in between; a store without `lend` has nothing to certify here.
 *
 * @module
 */
import fc from 'fast-check';
import type { PresenceRow } from '../../src/row.js';
import type { LentRow, PresenceStore } from '../../src/store.js';
import { deepEqual, show } from '../equal.js';
import type { CheckOutcome, CheckSettings, StoreCheckFamily, StoreSubject } from '../invariant.js';
import { runProperty } from '../run-property.js';
import { STORE } from './ids.js';
import { modelBasedCheck } from './model-based.js';
import { WriteCommand } from './commands.js';
import { InvariantViolation, type ModelRun } from './model-run.js';
import { withStore } from './subject.js';
import { rowIn, type Universe } from './universe.js';

/** The row fields of a lent row, by name (a lent row may be the store's record, with fields of its own). */
const fieldsOf = (row: LentRow | undefined): PresenceRow | undefined =>
  row === undefined
    ? undefined
    : structuredClone({
        id: row.id,
        scope: row.scope,
        channel: row.channel,
        actorId: row.actorId,
        sessionId: row.sessionId,
        state: row.state as PresenceRow['state'],
        expiresAt: row.expiresAt,
        heartbeatAt: row.heartbeatAt,
      });

/**
 * `lend(id)`, checked against the model; then, with no write in between,
 * every read of the store once (`lend` and `get` of `others`, a `channel` of
 * the lent row's and `rows()`), and the first lent row again: it must still
 * read as it did. A no-op on a store without `lend`.
 */
export class LendCommand {
  /**
   * @param id - the id lent
   * @param others - the ids read while the loan is out
   */
  constructor(
    readonly id: string,
    readonly others: readonly string[],
  ) {}

  /** Always applicable. */
  check(): boolean {
    return true;
  }

  /** Lends, compares, reads around the loan, compares again. */
  async run(run: ModelRun, store: PresenceStore): Promise<void> {
    if (typeof store.lend !== 'function') return;
    const expected = run.model.get(this.id);
    const lent = await store.lend(this.id);
    const first = fieldsOf(lent);
    if (!deepEqual(first, expected)) run.flag(STORE.lend, `lend returned ${show(first)}, expected ${show(expected)}`);
    for (const other of this.others) {
      const again = fieldsOf(await store.lend(other));
      const wanted = run.model.get(other);
      if (!deepEqual(again, wanted)) run.flag(STORE.lend, `lend(id=${other}) returned ${show(again)}, expected ${show(wanted)}`);
      await store.get(other);
    }
    if (expected !== undefined) await store.channel(expected.scope, expected.channel, expected.expiresAt - 1);
    await store.rows();
    const later = fieldsOf(lent);
    if (!deepEqual(later, first)) run.flag(STORE.lend, `the row lend(id=${this.id}) lent read ${show(first)}, then ${show(later)} after reads alone`);
    await run.settle(store, this.toString(), () => STORE.lend);
  }

  /** The call and the reads around it. */
  toString(): string {
    return `lend(id=${this.id}), then reads of ${this.others.map((other) => `id=${other}`).join(', ')}`;
  }
}

/** UTF-8 bytes of a state's JSON, counted apart from the pack's own counter. */
const bytesOf = (state: PresenceRow['state']): number => new TextEncoder().encode(JSON.stringify(state)).length;

/**
 * `lend(id)`: a loan that carries `stateBytes` must carry the exact UTF-8
 * size of the model's state for that id (a patch's size check counts on it).
 * A loan without it, or a store without `lend`, has nothing to check here.
 */
export class LendBytesCommand {
  /** @param id - the id lent */
  constructor(readonly id: string) {}

  /** Always applicable. */
  check(): boolean {
    return true;
  }

  /** Lends and compares the size with the model's state. */
  async run(run: ModelRun, store: PresenceStore): Promise<void> {
    if (typeof store.lend !== 'function') return;
    const lent = await store.lend(this.id);
    const expected = run.model.get(this.id);
    if (lent !== undefined && lent.stateBytes !== undefined && expected !== undefined && lent.stateBytes !== bytesOf(expected.state)) {
      run.flag(STORE.lendBytes, `lend(id=${this.id}) said its state is ${show(lent.stateBytes)} bytes; ${show(expected.state)} is ${bytesOf(expected.state)}`);
    }
    await run.settle(store, this.toString(), () => STORE.lendBytes);
  }

  /** The call. */
  toString(): string {
    return `lend(id=${this.id}) and its stateBytes`;
  }
}

/** Loans of any id, with up to three others read while each is out. */
const lendCommands = (universe: Universe): fc.Arbitrary<LendCommand>[] => {
  const id = fc.constantFrom(...universe.ids);
  const loan = fc.tuple(id, fc.array(id, { maxLength: 3 })).map(([lent, others]) => new LendCommand(lent, others));
  // Twice, so a loan often follows the write it must show.
  return [loan, loan];
};

const lendCheck = modelBasedCheck(
  {
    id: STORE.lend,
    level: 'MUST',
    title: 'a lent row reads as get and holds still until the next write',
    description:
      'Only for a store with the optional `lend`: `lend(id)` has exactly the fields `get(id)` answers at that moment (it may carry fields of its own too), and they stay so, at every depth, through any reads of the store (`get`, `channel`, `rows`, `lend` of any id) until the next write. A store without `lend` has nothing to lend: every store of its factory must then lack it.',
  },
  { extra: lendCommands },
);

/**
 * States whose JSON size depends on how it is counted: two-, three- and
 * four-byte characters, escapes and control characters (UTF-8 bytes, UTF-16
 * units and characters of the text all differ).
 */
const encodedStates = fc.constantFrom<PresenceRow['state']>(
  { name: 'Zoë' },
  { name: '€uro', cursor: { x: 1, y: 2 } },
  { emoji: '😀', tags: ['\ud83d'] },
  { note: 'a"b\\c\n\u0001' },
  { 'clé': { 'ключ': true } },
);

/**
 * Loans of any id, each compared with the model's state size (twice, so a
 * loan often follows the write it must show), and writes of states whose
 * size depends on the encoding, so a store that miscounts them is met often.
 */
const lendBytesCommands = (universe: Universe, base: number): fc.Arbitrary<LendBytesCommand | WriteCommand>[] => {
  const loan = fc.constantFrom(...universe.ids).map((id) => new LendBytesCommand(id));
  const write = fc
    .tuple(rowIn(universe, base), encodedStates, fc.constantFrom('upsert' as const, 'update' as const))
    .map(([row, state, kind]) => new WriteCommand(kind, { ...row, state }));
  return [loan, loan, write];
};

const lendBytesCheck = modelBasedCheck(
  {
    id: STORE.lendBytes,
    level: 'MUST',
    title: "a lent row's state size, when given, is exact",
    description:
      "Only for a store whose loans carry the optional `stateBytes`: it is exactly the UTF-8 byte length of `JSON.stringify(state)` for the row as `get(id)` answers it at that moment, after every kind of write (a patch's size check counts from it, so the limit is only as exact as this number). A loan may leave it out (a row whose size the store does not know).",
  },
  { extra: lendBytesCommands },
);

/**
 * A store without `lend` is read through `get` only, so there is nothing to
 * lend; each run then checks one more fresh store of the factory does not
 * lend either (a factory whose stores disagree about `lend` would be
 * certified by its first store alone).
 */
const noLendCheck =
  (id: string) =>
  (subject: StoreSubject, settings: CheckSettings): Promise<CheckOutcome> =>
    runProperty(
      fc.asyncProperty(fc.constant(undefined), () =>
        withStore(subject, async (store) => {
          if (typeof store.lend === 'function') throw new InvariantViolation(id, 'a fresh store lends, though the first one the factory made did not');
        }),
      ),
      settings,
    );

/** A check of loans: the model-based `check` on a store that lends, {@link noLendCheck} on one that does not. */
const ofLoans = (check: typeof lendCheck): StoreCheckFamily['checks'][number] => ({
  invariant: check.invariant,
  ...(check.weight === undefined ? {} : { weight: check.weight }),
  run: async (subject, settings) =>
    (await withStore(subject, async (store) => typeof store.lend === 'function')) ? check.run(subject, settings) : noLendCheck(check.invariant.id)(subject, settings),
});

/** The optional `lend`, and the optional state size of what it lends. */
export const lendFamily: StoreCheckFamily = {
  name: 'lending',
  checks: [ofLoans(lendCheck), ofLoans(lendBytesCheck)],
};
