/**
 * The commands of a model-based run. Each is a tiny class: `run` performs one
 * store call, checks its result against the model, compares the stored rows
 * afterwards, then mutates every object it handed in or got back to prove the
 * store kept copies. `toString` reads like the call, because it is the line a
 * store author reads in a shrunk counterexample.
 *
 * @module
 */
import type fc from 'fast-check';
import type { PresenceRow } from '../../src/row.js';
import type { PresenceStore } from '../../src/store.js';
import { deepEqual, sameRows, show, showRows } from '../equal.js';
import { STORE, type StoreInvariantId } from './ids.js';
import { vandalize, type Blame, type ModelRun } from './model-run.js';

/** A command of a presence store model run. */
export type StoreCommand = fc.AsyncCommand<ModelRun, PresenceStore>;

const copies: Blame = () => STORE.copies;
const blameAll =
  (invariant: StoreInvariantId): Blame =>
  () =>
    invariant;

/**
 * Blame for a write of `target`: a change elsewhere is an identity collision;
 * on the target, a new row read back wrong breaks get-after-upsert (or, for
 * `update`, no-resurrect), a lower `expiresAt` breaks monotonic expiry, and
 * anything else breaks last-writer-wins.
 */
const blameWrite =
  (kind: 'upsert' | 'update', target: string, before: PresenceRow | undefined): Blame =>
  (id, _expected, observed) => {
    if (id !== target) return STORE.ids;
    if (before === undefined) return kind === 'upsert' ? STORE.getAfterUpsert : STORE.updateNoResurrect;
    if (typeof observed?.expiresAt === 'number' && observed.expiresAt < before.expiresAt) return STORE.expiresMonotonic;
    return STORE.lww;
  };

/** Every store call applies in every state, so no command needs a precondition. */
abstract class AlwaysApplicable implements StoreCommand {
  /** Always applicable. */
  check(): boolean {
    return true;
  }

  /** Performs the call against both sides and checks the store. */
  abstract run(run: ModelRun, store: PresenceStore): Promise<void>;

  /** The call, as a store author would write it. */
  abstract toString(): string;
}

/** Checks a listing against the model's, then mutates what came back to prove it was a copy. */
const judgeListing = async (
  run: ModelRun,
  store: PresenceStore,
  command: string,
  invariant: StoreInvariantId,
  returned: PresenceRow[],
  expected: PresenceRow[],
): Promise<void> => {
  if (!Array.isArray(returned) || !sameRows(returned, expected)) {
    run.flag(invariant, `returned ${Array.isArray(returned) ? showRows(returned) : show(returned)}, expected ${showRows(expected)}`);
  }
  await run.settle(store, command, blameAll(invariant));
  vandalize(returned);
  await run.settle(store, `${command} then mutating the rows returned`, copies);
};

const rowText = (row: PresenceRow): string =>
  `id=${row.id}, heartbeatAt=${row.heartbeatAt}, expiresAt=${row.expiresAt}, state=${show(row.state)}`;

/** `upsert(row)` or `update(row)`: the last-writer-wins merge. */
export class WriteCommand extends AlwaysApplicable {
  /**
   * @param kind - which write
   * @param row - the incoming row (never handed to the store itself: it gets a copy)
   */
  constructor(
    readonly kind: 'upsert' | 'update',
    readonly row: PresenceRow,
  ) {
    super();
  }

  /** Writes, then checks the returned row, the stored rows and the copies. */
  override async run(run: ModelRun, store: PresenceStore): Promise<void> {
    const before = run.model.get(this.row.id);
    const expected = this.kind === 'upsert' ? run.model.upsert(this.row) : run.model.update(this.row);
    const input = structuredClone(this.row);
    const returned = this.kind === 'upsert' ? await store.upsert(input) : await store.update(input);
    const blame = blameWrite(this.kind, this.row.id, before);
    if (!deepEqual(returned, expected)) {
      run.flag(blame(this.row.id, expected, returned), `${this.kind} returned ${show(returned)}, expected ${show(expected)}`);
    }
    await run.settle(store, this.toString(), blame);
    vandalize(input);
    vandalize(returned);
    await run.settle(store, `${this} then mutating the row passed in and the row returned`, copies, [this.row.id]);
  }

  /** The call, as a store author would write it. */
  override toString(): string {
    return `${this.kind}(${rowText(this.row)})`;
  }
}

/** `remove(id)`: removes exactly that id. */
export class RemoveCommand extends AlwaysApplicable {
  /** @param id - the id removed */
  constructor(readonly id: string) {
    super();
  }

  /** Removes, then checks the returned row and that nothing else moved. */
  override async run(run: ModelRun, store: PresenceStore): Promise<void> {
    const expected = run.model.remove(this.id);
    const returned = await store.remove(this.id);
    if (!deepEqual(returned, expected)) {
      run.flag(STORE.removeExact, `remove returned ${show(returned)}, expected ${show(expected)}`);
    }
    await run.settle(store, this.toString(), blameAll(STORE.removeExact));
  }

  /** The call. */
  override toString(): string {
    return `remove(id=${this.id})`;
  }
}

/** `get(id)`: the stored row, a copy. */
export class GetCommand extends AlwaysApplicable {
  /** @param id - the id read */
  constructor(readonly id: string) {
    super();
  }

  /** Reads, checks, then mutates what it got. */
  override async run(run: ModelRun, store: PresenceStore): Promise<void> {
    const expected = run.model.get(this.id);
    const returned = await store.get(this.id);
    if (!deepEqual(returned, expected)) {
      run.flag(STORE.getAfterUpsert, `get returned ${show(returned)}, expected ${show(expected)}`);
    }
    await run.settle(store, this.toString(), blameAll(STORE.getAfterUpsert));
    vandalize(returned);
    await run.settle(store, `${this} then mutating the row returned`, copies, [this.id]);
  }

  /** The call. */
  override toString(): string {
    return `get(id=${this.id})`;
  }
}

/** `channel(scope, channel, now)`: exactly the live rows of one scope and channel. */
export class ChannelCommand extends AlwaysApplicable {
  /**
   * @param scope - the scope asked about
   * @param channel - the channel asked about
   * @param now - the reader's clock (with `expiryOf`, the clock only when that id is not stored)
   * @param expiryOf - an id whose stored `expiresAt` is the reader's clock: a read at the very
   *   instant that row expires, the `expiresAt === now` boundary a random clock rarely hits
   */
  constructor(
    readonly scope: string,
    readonly channel: string,
    readonly now: number,
    readonly expiryOf?: string,
  ) {
    super();
  }

  /** Lists, compares with the model's filter, then mutates what it got. */
  override async run(run: ModelRun, store: PresenceStore): Promise<void> {
    const now = this.expiryOf === undefined ? this.now : (run.model.get(this.expiryOf)?.expiresAt ?? this.now);
    const expected = run.model.channel(this.scope, this.channel, now);
    const returned = await store.channel(this.scope, this.channel, now);
    await judgeListing(run, store, this.call(String(now)), STORE.channel, returned, expected);
  }

  /** The call with `now` spelled as given. */
  private call(now: string): string {
    return `channel(scope=${show(this.scope)}, channel=${show(this.channel)}, now=${now})`;
  }

  /** The call; an expiry read shows where its clock comes from, since the instant depends on the run. */
  override toString(): string {
    return this.call(this.expiryOf === undefined ? String(this.now) : `get(id=${this.expiryOf})?.expiresAt ?? ${this.now}`);
  }
}

/** `rows()`: every stored row, expired or not. */
export class RowsCommand extends AlwaysApplicable {
  /** Lists, compares with the model, then mutates what it got. */
  override async run(run: ModelRun, store: PresenceStore): Promise<void> {
    const expected = run.model.rows();
    const returned = await store.rows();
    await judgeListing(run, store, this.toString(), STORE.rows, returned, expected);
  }

  /** The call. */
  override toString(): string {
    return 'rows()';
  }
}

/** `sweep(now, limit?)`: removes and returns exactly expired rows, at most `limit`; idempotent. */
export class SweepCommand extends AlwaysApplicable {
  /**
   * @param now - the sweeper's clock
   * @param limit - the most rows to remove, or no bound
   */
  constructor(
    readonly now: number,
    readonly limit: number | undefined,
  ) {
    super();
  }

  /** Sweeps, checks what came back and what is left, and (unbounded) that a second sweep finds nothing. */
  override async run(run: ModelRun, store: PresenceStore): Promise<void> {
    const expired = run.model.expired(this.now);
    const returned = await store.sweep(this.now, this.limit);
    this.judge(run, returned, expired.length);
    await run.settle(store, this.toString(), blameAll(STORE.sweep));
    if (this.limit !== undefined) return;
    const again = await store.sweep(this.now);
    if (!Array.isArray(again) || again.length > 0) {
      run.flag(STORE.sweep, `a second sweep(now=${this.now}) returned ${show(again)}, expected [] (sweep is idempotent)`);
    }
    await run.settle(store, `${this} twice`, blameAll(STORE.sweep));
  }

  /** Checks the returned rows and removes the valid ones from the model. */
  private judge(run: ModelRun, returned: PresenceRow[], expiredCount: number): void {
    if (!Array.isArray(returned)) {
      run.flag(STORE.sweep, `sweep returned ${show(returned)}, expected an array`);
      return;
    }
    const wanted = this.limit === undefined ? expiredCount : Math.min(this.limit, expiredCount);
    if (returned.length !== wanted) {
      run.flag(STORE.sweep, `sweep returned ${returned.length} rows ${showRows(returned)}, expected ${wanted} of the ${expiredCount} with expiresAt <= ${this.now}`);
    }
    const seen = new Set<string>();
    for (const row of returned) {
      const stored = run.model.get(row?.id);
      if (seen.has(row?.id) || stored === undefined || stored.expiresAt > this.now || !deepEqual(row, stored)) {
        run.flag(STORE.sweep, `sweep returned ${show(row)}, which is not a distinct stored row with expiresAt <= ${this.now}`);
      } else {
        run.model.remove(row.id);
      }
      seen.add(row?.id);
    }
  }

  /** The call. */
  override toString(): string {
    return this.limit === undefined ? `sweep(now=${this.now})` : `sweep(now=${this.now}, limit=${this.limit})`;
  }
}
