/**
 * The cleanup schedule: one bounded, atomic sweep per run, reported to
 * subscribers as deletes of exactly the rows it removed, then a
 * reconciliation of this node's views with the store (see
 * docs/ARCHITECTURE.md, "Convergence across nodes"): every watched channel's
 * live rows are read, and what this node's views may hold that differs is
 * healed through `actions.change`, so a removal, renewal or join whose
 * message the cluster bus lost still reaches them.
 *
 * @module
 */
import type { MutationActions, RetryPolicy, ScheduleDefinition } from '../contract.js';
import { PresenceError } from '../errors.js';
import { healOf, type Heal } from '../machine.js';
import type { PresenceNames } from '../names.js';
import type { PresenceRow } from '../row.js';
import type { PresenceSettings } from '../settings.js';
import type { ViewIndex, WatchedChannel } from '../view-index.js';
import { removeRow } from './removal.js';

/** Retry only an unreachable or slow store; a sweep is atomic and reconciliation only reads, so a retry is safe. */
export const cleanupRetry: RetryPolicy = {
  maxAttempts: 3,
  isRetryable: (error) => error instanceof PresenceError && (error.code === 'STORE_UNAVAILABLE' || error.code === 'STORE_TIMEOUT'),
};

/** One watched channel's reconciliation: the live rows read and what to send. */
interface Reconciled {
  readonly watched: WatchedChannel;
  readonly live: PresenceRow[];
  readonly heal: Heal;
}

/**
 * Reads every watched channel's live rows and works out the heals, leaving
 * the index untouched: a store failure here throws, the engine retries the
 * whole run, and the retry still knows what the views hold.
 */
const reconcile = async <Ctx>(settings: PresenceSettings<Ctx>, index: ViewIndex, swept: ReadonlySet<string>, now: number): Promise<Reconciled[]> => {
  const results: Reconciled[] = [];
  for (const watched of index.watched()) {
    const live = await settings.store.channel(watched.scope, watched.channel, now);
    // The sweep's own deletes already cover what it removed.
    const maybe = new Map([...watched.maybe].filter(([id]) => !swept.has(id)));
    results.push({ watched, live, heal: healOf(maybe, watched.sure, live) });
  }
  return results;
};

/** Sends one reconciliation's heals and records what the views now hold. */
const send = async (actions: MutationActions, table: string, index: ViewIndex, { watched, live, heal }: Reconciled): Promise<void> => {
  for (const row of heal.removed) await removeRow(actions, table, row, false);
  for (const row of heal.refreshed) await actions.change(table, { op: 'update', row });
  index.settle(watched.scope, watched.channel, live);
};

/** Builds the `presence:cleanup` schedule over this pack instance's view index. */
export const presenceCleanup = <Ctx>(settings: PresenceSettings<Ctx>, names: PresenceNames, index: ViewIndex): ScheduleDefinition => ({
  name: names.cleanup,
  pattern: settings.cleanupCron,
  retry: cleanupRetry,
  async run({ actions }) {
    const now = settings.now();
    // The store removes each row only if it is still expired at delete time,
    // so a heartbeat racing this sweep is never lost.
    const removed = await settings.store.sweep(now, settings.cleanupBatchSize);
    const reconciled = await reconcile(settings, index, new Set(removed.map((row) => row.id)), now);
    for (const row of removed) {
      index.forget(row);
      await removeRow(actions, names.table, row, false);
    }
    for (const channel of reconciled) await send(actions, names.table, index, channel);
  },
});
