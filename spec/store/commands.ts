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
import { presenceRowId, type PresenceIdentity, type PresenceRow } from '../../src/row.js';
import type { PresenceStore } from '../../src/store.js';
import { deepEqual, sameRows, show, showRows } from '../equal.js';
import { STORE, type StoreInvariantId } from './ids.js';
import { vandalize, type Blame, type ModelRun } from './model-run.js';
import { revise, type Revision } from './revisions.js';
import { CLOCK_END, rowFor } from './universe.js';

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
   * @param compared - the ids compared with the model afterwards; every id of the run by default
   */
  constructor(
    readonly kind: 'upsert' | 'update',
    readonly row: PresenceRow,
    readonly compared?: readonly string[],
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
    await run.settle(store, this.toString(), blame, this.compared);
    vandalize(input);
    vandalize(returned);
    await run.settle(store, `${this} then mutating the row passed in and the row returned`, copies, [this.row.id]);
  }

  /** The call, as a store author would write it. */
  override toString(): string {
    return `${this.kind}(${rowText(this.row)})`;
  }
}

/**
 * An upsert whose state is the stored state of its id revised (see
 * `revisions.ts`), never older than the stored heartbeat: the write a patch
 * makes. Without a stored row it writes the revision of `{}`.
 */
export class ReviseCommand extends AlwaysApplicable {
  /**
   * @param identity - the identity written
   * @param heartbeatAt - the heartbeat, raised to the stored one if that is later
   * @param ttl - added to the heartbeat for `expiresAt`
   * @param revision - how the stored state changes
   */
  constructor(
    readonly identity: PresenceIdentity,
    readonly heartbeatAt: number,
    readonly ttl: number,
    readonly revision: Revision,
  ) {
    super();
  }

  /** Builds the row from the stored one, then runs it as an upsert. */
  override async run(run: ModelRun, store: PresenceStore): Promise<void> {
    const stored = run.model.get(presenceRowId(this.identity));
    const heartbeatAt = Math.max(this.heartbeatAt, stored?.heartbeatAt ?? this.heartbeatAt);
    const row = rowFor(this.identity, heartbeatAt, heartbeatAt + this.ttl, revise(stored?.state ?? {}, this.revision));
    await new WriteCommand('upsert', row).run(run, store);
  }

  /** The call; the state depends on the run, so it is spelled as the edit. */
  override toString(): string {
    return `upsert(id=${presenceRowId(this.identity)}, heartbeatAt=max(${this.heartbeatAt}, stored), expiresAt=heartbeatAt+${this.ttl}, state=stored state, ${this.revision})`;
  }
}

/** `remove(id)`: removes exactly that id. */
export class RemoveCommand extends AlwaysApplicable {
  /**
   * @param id - the id removed
   * @param compared - the ids compared with the model afterwards; every id of the run by default
   */
  constructor(
    readonly id: string,
    readonly compared?: readonly string[],
  ) {
    super();
  }

  /** Removes, then checks the returned row and that nothing else moved. */
  override async run(run: ModelRun, store: PresenceStore): Promise<void> {
    const expected = run.model.remove(this.id);
    const returned = await store.remove(this.id);
    if (!deepEqual(returned, expected)) {
      run.flag(STORE.removeExact, `remove returned ${show(returned)}, expected ${show(expected)}`);
    }
    await run.settle(store, this.toString(), blameAll(STORE.removeExact), this.compared);
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

/**
 * A clock read off a stored row: the instant that row expires, shifted by
 * `offset` ms, the `expiresAt === now` boundary (and its two neighbours) a
 * random clock rarely hits. Falls back to `now` when the id is not stored.
 */
export interface ExpiryClock {
  /** The id whose stored `expiresAt` sets the clock. */
  readonly id: string;
  /** Added to that `expiresAt`: -1, 0 or 1. */
  readonly offset: number;
}

/** The clock a command reads at: `now`, or the stored expiry `at` points to. */
const clockOf = (run: ModelRun, now: number, at: ExpiryClock | undefined): number => {
  const stored = at === undefined ? undefined : run.model.get(at.id)?.expiresAt;
  return stored === undefined ? now : stored + at!.offset;
};

/** How a command's clock reads in a counterexample. */
const clockText = (now: number, at: ExpiryClock | undefined): string => {
  if (at === undefined) return String(now);
  const shift = at.offset === 0 ? '' : at.offset > 0 ? ` + ${at.offset}` : ` - ${-at.offset}`;
  return `(get(id=${at.id})?.expiresAt${shift}) ?? ${now}`;
};

/** `channel(scope, channel, now)`: exactly the live rows of one scope and channel. */
export class ChannelCommand extends AlwaysApplicable {
  /**
   * @param scope - the scope asked about
   * @param channel - the channel asked about
   * @param now - the reader's clock (with `at`, the clock only when that id is not stored)
   * @param at - a stored row whose expiry sets the clock instead
   */
  constructor(
    readonly scope: string,
    readonly channel: string,
    readonly now: number,
    readonly at?: ExpiryClock,
  ) {
    super();
  }

  /** Lists, compares with the model's filter, then mutates what it got. */
  override async run(run: ModelRun, store: PresenceStore): Promise<void> {
    const now = clockOf(run, this.now, this.at);
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
    return this.call(clockText(this.now, this.at));
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
   * @param now - the sweeper's clock (with `at`, the clock only when that id is not stored)
   * @param limit - the most rows to remove, or no bound
   * @param at - a stored row whose expiry sets the clock instead
   */
  constructor(
    readonly now: number,
    readonly limit: number | undefined,
    readonly at?: ExpiryClock,
  ) {
    super();
  }

  /** Sweeps, checks what came back and what is left, and (unbounded) that a second sweep finds nothing. */
  override async run(run: ModelRun, store: PresenceStore): Promise<void> {
    const now = clockOf(run, this.now, this.at);
    const expired = run.model.expired(now);
    const returned = await store.sweep(now, this.limit);
    const call = this.call(String(now));
    this.judge(run, now, returned, expired.length);
    await run.settle(store, call, blameAll(STORE.sweep));
    if (this.limit !== undefined) return;
    const again = await store.sweep(now);
    if (!Array.isArray(again) || again.length > 0) {
      run.flag(STORE.sweep, `a second sweep(now=${now}) returned ${show(again)}, expected [] (sweep is idempotent)`);
    }
    await run.settle(store, `${call} twice`, blameAll(STORE.sweep));
  }

  /** Checks the returned rows and removes the valid ones from the model. */
  private judge(run: ModelRun, now: number, returned: PresenceRow[], expiredCount: number): void {
    if (!Array.isArray(returned)) {
      run.flag(STORE.sweep, `sweep returned ${show(returned)}, expected an array`);
      return;
    }
    const wanted = this.limit === undefined ? expiredCount : Math.min(this.limit, expiredCount);
    if (returned.length !== wanted) {
      run.flag(STORE.sweep, `sweep returned ${returned.length} rows ${showRows(returned.slice(0, 20))}, expected ${wanted} of the ${expiredCount} with expiresAt <= ${now}`);
    }
    const seen = new Set<string>();
    for (const row of returned) {
      const stored = run.model.get(row?.id);
      if (seen.has(row?.id) || stored === undefined || stored.expiresAt > now || !deepEqual(row, stored)) {
        run.flag(STORE.sweep, `sweep returned ${show(row)}, which is not a distinct stored row with expiresAt <= ${now}`);
      } else {
        run.model.remove(row.id);
      }
      seen.add(row?.id);
    }
  }

  /** The call with `now` spelled as given. */
  private call(now: string): string {
    return this.limit === undefined ? `sweep(now=${now})` : `sweep(now=${now}, limit=${this.limit})`;
  }

  /** The call. */
  override toString(): string {
    return this.call(clockText(this.now, this.at));
  }
}

/**
 * Many members written into one channel at once, more than a typical result
 * cap (`LIMIT 1000`), all live at the window's start and expiring across it;
 * then the channel is listed at the start, when every one of them must come
 * back. Then one member in seven renews 1 ms later (an index that moves rows
 * takes it out of the middle of its expiry group, a lazy one leaves it filed
 * there), and another one in seven leaves, from the middle of its group.
 * Later reads and the run's closing sweep see them too.
 */
export class CrowdCommand extends AlwaysApplicable {
  /**
   * @param scope - the crowded scope
   * @param channel - the crowded channel
   * @param count - how many members
   * @param base - the run's time base
   */
  constructor(
    readonly scope: string,
    readonly channel: string,
    readonly count: number,
    readonly base: number,
  ) {
    super();
  }

  /** The rows written: actor `m<i>`, heartbeat at the base, expiries spread over the window. */
  rows(): PresenceRow[] {
    return Array.from({ length: this.count }, (_, index) =>
      rowFor({ scope: this.scope, channel: this.channel, actorId: `m${index}`, sessionId: '' }, this.base, this.base + 1 + ((index * 7) % CLOCK_END), {
        i: index,
      }),
    );
  }

  /** Writes every member, checking each returned row, then lists the channel. */
  override async run(run: ModelRun, store: PresenceStore): Promise<void> {
    const rows = this.rows();
    run.track(rows.map((row) => row.id));
    for (const row of rows) {
      const expected = run.model.upsert(row);
      const returned = await store.upsert(structuredClone(row));
      if (!deepEqual(returned, expected)) run.flag(STORE.getAfterUpsert, `upsert returned ${show(returned)}, expected ${show(expected)}`);
    }
    await run.settle(store, `${this} (the writes)`, blameAll(STORE.getAfterUpsert));
    await new ChannelCommand(this.scope, this.channel, this.base).run(run, store);
    // One member in seven renews 1 ms later: it leaves the middle of the group expiring with it and
    // joins the end of the next group, as renewals in a busy channel do.
    for (const row of rows.filter((_, index) => index % 7 === 3)) {
      await new WriteCommand('upsert', { ...row, heartbeatAt: row.heartbeatAt + 1, expiresAt: row.expiresAt + 1 }, [row.id]).run(run, store);
    }
    // Another one in seven leaves, from the middle of its group: a list that loses track of its
    // tail then drops members when the group next grows (a renewed row filed there, or a join).
    for (const row of rows.filter((_, index) => index % 7 === 5)) await new RemoveCommand(row.id, [row.id]).run(run, store);
  }

  /** The call, abbreviated: the rows follow from the count. */
  override toString(): string {
    return `crowd(scope=${show(this.scope)}, channel=${show(this.channel)}, ${this.count} upserts of actors m0..m${this.count - 1} with heartbeatAt=${this.base}, expiresAt=${this.base}+1+(7i)%${CLOCK_END}; then channel(now=${this.base}); then the same upserts 1 ms later for i%7=3; then remove for i%7=5)`;
  }
}

/**
 * One identity renewed hundreds of times with the clock marching forward, a
 * sweep every few renewals: every renewal moves its row to a later expiry,
 * so expiry indexes churn (buckets emptied and re-created, stale keys piling
 * up) the way a long-lived session's do. Bystanders (other identities,
 * written first, latest expiry first) expire one by one during the churn:
 * while one is live the stale keys behind it stay, so the index rebuilds
 * with several live expiries out of order, and a later sweep must still find
 * each expired bystander. The session then dies: a sweep at its last expiry
 * must find its row, whatever the index did at the last renewal.
 */
export class ChurnCommand extends AlwaysApplicable {
  /**
   * @param identity - the renewed identity
   * @param renewals - how many upserts
   * @param ttl - each renewal's time to live
   * @param sweepEvery - a sweep after every this many renewals
   * @param base - the run's time base
   * @param bystanders - other identities, stored before the churn
   */
  constructor(
    readonly identity: PresenceIdentity,
    readonly renewals: number,
    readonly ttl: number,
    readonly sweepEvery: number,
    readonly base: number,
    readonly bystanders: readonly PresenceIdentity[] = [],
  ) {
    super();
  }

  /** Bystander `index` expires at this fraction of the churn: the first written expires last. */
  #bystanderExpiry(index: number): number {
    return this.base + Math.round((this.renewals * (this.bystanders.length - index)) / (this.bystanders.length + 1));
  }

  /** Stores the bystanders, then renews, sweeping now and then; each call judged like its own command. */
  override async run(run: ModelRun, store: PresenceStore): Promise<void> {
    for (const [index, bystander] of this.bystanders.entries()) {
      await new WriteCommand('upsert', rowFor(bystander, this.base, this.#bystanderExpiry(index), {}), [presenceRowId(bystander)]).run(run, store);
    }
    for (let step = 0; step < this.renewals; step += 1) {
      const at = this.base + step;
      await new WriteCommand('upsert', rowFor(this.identity, at, at + this.ttl, { step: step % 3 }), [presenceRowId(this.identity)]).run(run, store);
      if (step % this.sweepEvery === 0) await new SweepCommand(at, step % 2 === 0 ? undefined : 1).run(run, store);
    }
    // The session then stops renewing: a sweep at its last expiry must find its row wherever the index put it.
    await new SweepCommand(this.#lastExpiry(), undefined).run(run, store);
  }

  /** When the last renewal expires. */
  #lastExpiry(): number {
    return this.base + this.renewals - 1 + this.ttl;
  }

  /** The renewals, abbreviated. */
  override toString(): string {
    const first =
      this.bystanders.length === 0
        ? ''
        : `after upserting ${this.bystanders
            .map((bystander, index) => `id=${presenceRowId(bystander)} expiresAt=${this.#bystanderExpiry(index)}`)
            .join(', ')}: `;
    return `churn(${first}id=${presenceRowId(this.identity)}, ${this.renewals} upserts with heartbeatAt=${this.base}+i, expiresAt=heartbeatAt+${this.ttl}, state={"step":i%3}; sweep(now=heartbeatAt) after every ${this.sweepEvery}th, limit 1 on odd i; then sweep(now=${this.#lastExpiry()}))`;
  }
}
