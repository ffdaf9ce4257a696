/**
 * The default store: in-process and indexed three ways, so no hot path scans.
 *
 * - by id (a `Map`): `get`, `upsert`, `update`, `remove` in O(1) plus heap work;
 * - by scope, then channel (nested `Map`s of `Set`s): `channel()` in O(members);
 * - by expiry (an indexed min-heap): `sweep` in O(k log n) for k removed rows,
 *   and a renewal re-sifts the row's one heap slot in O(log n).
 *
 * Rows are copied on the way in and on the way out, so no caller can change
 * stored data by mutating an object it passed or received.
 *
 * @module
 */
import { cloneJson } from '../json.js';
import type { PresenceRow } from '../row.js';
import type { PresenceStore } from '../store.js';
import { ExpiryHeap } from './expiry-heap.js';

/** A stored row with its heap slot. */
interface Entry {
  row: PresenceRow;
  expiresAt: number;
  heapIndex: number;
}

const copyRow = (row: PresenceRow): PresenceRow => ({
  id: row.id,
  scope: row.scope,
  channel: row.channel,
  actorId: row.actorId,
  sessionId: row.sessionId,
  state: cloneJson(row.state),
  expiresAt: row.expiresAt,
  heartbeatAt: row.heartbeatAt,
});

/** Creates an empty in-memory store; each call returns an independent one. */
export const createMemoryPresenceStore = (): PresenceStore => {
  const byId = new Map<string, Entry>();
  const byScope = new Map<string, Map<string, Set<Entry>>>();
  const byExpiry = new ExpiryHeap<Entry>();

  const members = (scope: string, channel: string): Set<Entry> | undefined => byScope.get(scope)?.get(channel);

  const index = (entry: Entry): void => {
    let channels = byScope.get(entry.row.scope);
    if (channels === undefined) byScope.set(entry.row.scope, (channels = new Map()));
    let set = channels.get(entry.row.channel);
    if (set === undefined) channels.set(entry.row.channel, (set = new Set()));
    set.add(entry);
  };

  const unindex = (entry: Entry): void => {
    const channels = byScope.get(entry.row.scope);
    const set = channels?.get(entry.row.channel);
    if (set === undefined) return;
    set.delete(entry);
    if (set.size > 0) return;
    channels!.delete(entry.row.channel);
    if (channels!.size === 0) byScope.delete(entry.row.scope);
  };

  const drop = (entry: Entry): void => {
    byId.delete(entry.row.id);
    unindex(entry);
    byExpiry.remove(entry);
  };

  /** Last writer wins by heartbeatAt; expiresAt only grows. */
  const merge = (entry: Entry, incoming: PresenceRow): void => {
    const expiresAt = Math.max(entry.expiresAt, incoming.expiresAt);
    if (incoming.heartbeatAt >= entry.row.heartbeatAt) {
      const moved = incoming.scope !== entry.row.scope || incoming.channel !== entry.row.channel;
      if (moved) unindex(entry);
      entry.row = copyRow(incoming);
      if (moved) index(entry);
    }
    entry.row.expiresAt = expiresAt;
    if (expiresAt !== entry.expiresAt) {
      entry.expiresAt = expiresAt;
      byExpiry.reorder(entry);
    }
  };

  return {
    get(id) {
      const entry = byId.get(id);
      return entry && copyRow(entry.row);
    },
    upsert(row) {
      const stored = byId.get(row.id);
      if (stored !== undefined) {
        merge(stored, row);
        return copyRow(stored.row);
      }
      const entry: Entry = { row: copyRow(row), expiresAt: row.expiresAt, heapIndex: -1 };
      byId.set(row.id, entry);
      index(entry);
      byExpiry.push(entry);
      return copyRow(entry.row);
    },
    update(row) {
      const stored = byId.get(row.id);
      if (stored === undefined) return undefined;
      merge(stored, row);
      return copyRow(stored.row);
    },
    remove(id) {
      const entry = byId.get(id);
      if (entry === undefined) return undefined;
      drop(entry);
      return entry.row;
    },
    channel(scope, channel, now) {
      const live: PresenceRow[] = [];
      for (const entry of members(scope, channel) ?? []) {
        if (entry.expiresAt > now) live.push(copyRow(entry.row));
      }
      return live;
    },
    sweep(now, limit = Infinity) {
      const removed: PresenceRow[] = [];
      for (let next = byExpiry.peek(); next !== undefined && next.expiresAt <= now && removed.length < limit; next = byExpiry.peek()) {
        drop(next);
        removed.push(next.row);
      }
      return removed;
    },
    rows() {
      return Array.from(byId.values(), (entry) => copyRow(entry.row));
    },
  };
};

/** The 0.3 name of {@link createMemoryPresenceStore}. */
export const createInMemoryPresenceStore = createMemoryPresenceStore;
