/**
 * What this node's subscribers' views may hold: the node-local memory the
 * cleanup schedule reconciles against the store, so views converge even when
 * the cluster bus loses the messages that should have changed them.
 *
 * The engine shows a pack what its views hold without exposing them: every
 * subscription starts from `hydrate`, and every non-delete change a node
 * commits (its own or a peer's) passes through `match` for each of its
 * subscriptions. The index remembers two things per watched (scope,
 * channel): the rows some view there may hold (every row hydrated or
 * matched since the last reconciliation; a delete is never shown to a pack,
 * so only reconciliation and a removal's tombstone drop them), and the rows every view there holds
 * in that version (a matched row reaches every view of its channel at once;
 * a new subscription's hydrate keeps only the rows it agrees on). A channel
 * is watched from the first `hydrate` or `match` naming it; the least
 * recently named one is dropped once more than `capacity` are watched, so
 * memory is bounded by `capacity` channels and the rows seen in them since
 * their last reconciliation.
 *
 * One index per pack instance, and so per engine: a pack object registered
 * on two engines would mix their views.
 *
 * @module
 */
import { sameRow } from './machine.js';
import type { PresenceRow } from './row.js';

/** What the views of one channel hold, as far as the pack can tell; by id. */
export interface HeldRows {
  /** Rows some view may hold: a ghost, if not live. */
  readonly maybe: ReadonlyMap<string, PresenceRow>;
  /** Rows every view holds, in exactly this version. */
  readonly sure: ReadonlyMap<string, PresenceRow>;
}

/** One watched (scope, channel) and what its views hold; a snapshot, safe to keep across awaits. */
export interface WatchedChannel extends HeldRows {
  /** The scope. */
  readonly scope: string;
  /** The channel. */
  readonly channel: string;
}

/** The node-local index; see the module comment. */
export interface ViewIndex {
  /** A subscription of `scope`/`channel` exists on this node: watch it (again). */
  watch(scope: string, channel: string): void;
  /** A new subscription of `scope`/`channel` starts from `rows`. */
  hydrated(scope: string, channel: string, rows: readonly PresenceRow[]): void;
  /** The engine fanned `row` out: every view of its channel holds it now. */
  hold(row: PresenceRow): void;
  /** No view here holds the row any more: this node committed its delete, or the engine dropped it from every view. */
  forget(row: PresenceRow): void;
  /** The watched channels, least recently named first. */
  watched(): WatchedChannel[];
  /** After a reconciliation: the channel's views hold exactly `rows` (if it is still watched). */
  settle(scope: string, channel: string, rows: readonly PresenceRow[]): void;
}

/** Injective key of a (scope, channel) pair: the length prefix says where the scope ends. Cheap, as `match` calls it per change. */
const keyOf = (scope: string, channel: string): string => `${scope.length}:${scope}${channel}`;

/**
 * Creates an empty index.
 *
 * @param capacity - the most channels watched at once
 * @returns the index
 */
export const createViewIndex = (capacity: number): ViewIndex => {
  // Map order is recency order: naming a channel moves it to the end.
  const channels = new Map<string, { scope: string; channel: string; maybe: Map<string, PresenceRow>; sure: Map<string, PresenceRow> }>();

  /** The channel's entry, moved to the end; `undefined` when it was not watched. */
  const touch = (scope: string, channel: string) => {
    const key = keyOf(scope, channel);
    const found = channels.get(key);
    if (found !== undefined) {
      channels.delete(key);
      channels.set(key, found);
    }
    return found;
  };

  const entry = (scope: string, channel: string) => {
    const found = touch(scope, channel);
    if (found !== undefined) return found;
    const created = { scope, channel, maybe: new Map<string, PresenceRow>(), sure: new Map<string, PresenceRow>() };
    channels.set(keyOf(scope, channel), created);
    if (channels.size > capacity) channels.delete(channels.keys().next().value!);
    return created;
  };

  const byId = (rows: readonly PresenceRow[]) => new Map(rows.map((row) => [row.id, row]));

  return {
    watch: (scope, channel) => void entry(scope, channel),
    hydrated(scope, channel, rows) {
      const found = touch(scope, channel);
      if (found === undefined) {
        const created = entry(scope, channel);
        created.maybe = byId(rows);
        created.sure = byId(rows);
        return;
      }
      for (const row of rows) found.maybe.set(row.id, row);
      // Earlier views may lack a row the new one has, or hold another version.
      found.sure = byId(rows.filter((row) => {
        const held = found.sure.get(row.id);
        return held !== undefined && sameRow(held, row);
      }));
    },
    hold(row) {
      const found = entry(row.scope, row.channel);
      found.maybe.set(row.id, row);
      found.sure.set(row.id, row);
    },
    forget(row) {
      const found = channels.get(keyOf(row.scope, row.channel));
      found?.maybe.delete(row.id);
      found?.sure.delete(row.id);
    },
    watched: () => [...channels.values()].map(({ scope, channel, maybe, sure }) => ({ scope, channel, maybe: new Map(maybe), sure: new Map(sure) })),
    settle(scope, channel, rows) {
      const found = channels.get(keyOf(scope, channel));
      if (found === undefined) return;
      found.maybe = byId(rows);
      found.sure = byId(rows);
    },
  };
};
