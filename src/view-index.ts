/**
 * What this node's subscribers' views may hold: the node-local memory the
 * cleanup schedule reconciles against the store, so views converge even when
 * the cluster bus loses the messages that should have changed them.
 *
 * The engine shows a pack what its views hold without exposing them: every
 * subscription starts from `hydrate`, and every non-delete change a node
 * commits (its own or a peer's) passes through `match` for each of its
 * subscriptions. The index remembers, per watched (scope, channel), the last
 * row of each id seen there. A channel is watched from the first `hydrate`
 * or `match` naming it; the least recently named one is dropped once more
 * than `capacity` are watched, so memory is bounded by `capacity` channels
 * and the rows seen in them since their last reconciliation.
 *
 * One index per pack instance, and so per engine: a pack object registered
 * on two engines would mix their views.
 *
 * @module
 */
import type { PresenceRow } from './row.js';

/** One watched (scope, channel) and the rows its views may hold, by id. */
export interface WatchedChannel {
  /** The scope. */
  readonly scope: string;
  /** The channel. */
  readonly channel: string;
  /** The last row seen per id; a snapshot, safe to keep across awaits. */
  readonly held: ReadonlyMap<string, PresenceRow>;
}

/** The node-local index; see the module comment. */
export interface ViewIndex {
  /** A subscription of `scope`/`channel` exists on this node: watch it (again). */
  watch(scope: string, channel: string): void;
  /** A view of the row's channel may hold `row` now. */
  hold(row: PresenceRow): void;
  /** This node committed the row's delete, so no view here holds it. */
  forget(row: PresenceRow): void;
  /** The watched channels, least recently named first. */
  watched(): WatchedChannel[];
  /** After a reconciliation: the channel's views hold exactly `rows` (if it is still watched). */
  settle(scope: string, channel: string, rows: readonly PresenceRow[]): void;
}

/** Injective key of a (scope, channel) pair, as row ids are. */
const keyOf = (scope: string, channel: string): string => JSON.stringify([scope, channel]);

/**
 * Creates an empty index.
 *
 * @param capacity - the most channels watched at once
 * @returns the index
 */
export const createViewIndex = (capacity: number): ViewIndex => {
  // Map order is recency order: a watch moves its channel to the end.
  const channels = new Map<string, { scope: string; channel: string; held: Map<string, PresenceRow> }>();

  const entry = (scope: string, channel: string) => {
    const key = keyOf(scope, channel);
    const found = channels.get(key);
    if (found !== undefined) {
      channels.delete(key);
      channels.set(key, found);
      return found;
    }
    const created = { scope, channel, held: new Map<string, PresenceRow>() };
    channels.set(key, created);
    if (channels.size > capacity) channels.delete(channels.keys().next().value!);
    return created;
  };

  return {
    watch: (scope, channel) => void entry(scope, channel),
    hold: (row) => void entry(row.scope, row.channel).held.set(row.id, row),
    forget: (row) => void channels.get(keyOf(row.scope, row.channel))?.held.delete(row.id),
    watched: () => [...channels.values()].map(({ scope, channel, held }) => ({ scope, channel, held: new Map(held) })),
    settle(scope, channel, rows) {
      const found = channels.get(keyOf(scope, channel));
      if (found !== undefined) found.held = new Map(rows.map((row) => [row.id, row]));
    },
  };
};
