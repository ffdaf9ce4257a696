/**
 * The adapter that lets a store written for the 0.3 pack keep working.
 *
 * A 0.3 store offers a full scan (`reader.all`), blind writes and an
 * `expired(now)` query, so the adapter cannot give the guarantees of a
 * native {@link PresenceStore}:
 * - every `get`, `upsert`, `update`, `remove` and `channel` scans all rows (O(n));
 * - merges are read-then-write, so two nodes writing one row at once can
 *   both win; last-writer-wins holds only within one process;
 * - `admit` counts and then writes, so concurrent joins on several nodes (or
 *   interleaved calls in one) can overshoot a member limit;
 * - `sweep` re-reads each expired row just before deleting it, which narrows
 *   but does not close the window in which a concurrent heartbeat is lost.
 * Rows written by 0.3 (no `sessionId`) read as session `''`.
 *
 * @module
 */
import type { Awaitable } from '../contract.js';
import { refusedAdmission } from '../machine.js';
import type { PresenceRow } from '../row.js';
import type { PresenceStore } from '../store.js';

/** A row as the 0.3 pack stored it: `sessionId` may be missing. */
export type LegacyPresenceRow = Omit<PresenceRow, 'sessionId'> & {
  /** Missing on rows written by 0.3; read as `''`. */
  sessionId?: string;
};

/** The 0.3 store shape: `{ reader: { all }, writer: { insert, update, delete }, expired }`. */
export interface LegacyPresenceStore {
  /** Reads. */
  reader: {
    /** Every row. */
    all: () => Awaitable<Iterable<LegacyPresenceRow>>;
  };
  /** Blind writes. */
  writer: {
    /** Inserts a row. */
    insert: (row: PresenceRow) => Awaitable<unknown>;
    /** Replaces the row with the same id. */
    update: (row: PresenceRow) => Awaitable<unknown>;
    /** Deletes the row with the same id. */
    delete: (row: PresenceRow) => Awaitable<unknown>;
  };
  /** Rows with `expiresAt <= now`. */
  expired: (now: number) => Awaitable<Iterable<LegacyPresenceRow>>;
}

/** Whether a configured store is a 0.3 one. */
export const isLegacyPresenceStore = (store: object): store is LegacyPresenceStore =>
  'reader' in store && 'writer' in store && 'expired' in store;

const normalise = (row: LegacyPresenceRow): PresenceRow => ({ ...row, sessionId: row.sessionId ?? '' });

/** Wraps a 0.3 store as a {@link PresenceStore}, with the limits above. */
export const adaptLegacyPresenceStore = (legacy: LegacyPresenceStore): PresenceStore => {
  const all = async (): Promise<PresenceRow[]> => Array.from(await legacy.reader.all(), normalise);
  const get = async (id: string): Promise<PresenceRow | undefined> => (await all()).find((row) => row.id === id);

  const write = async (row: PresenceRow, insertMissing: boolean): Promise<PresenceRow | undefined> => {
    const stored = await get(row.id);
    if (stored === undefined) {
      if (!insertMissing) return undefined;
      await legacy.writer.insert(row);
      return row;
    }
    const winner = row.heartbeatAt >= stored.heartbeatAt ? row : stored;
    const merged = { ...winner, expiresAt: Math.max(stored.expiresAt, row.expiresAt) };
    await legacy.writer.update(merged);
    return merged;
  };

  return {
    get,
    upsert: async (row) => (await write(row, true)) as PresenceRow,
    update: (row) => write(row, false),
    async admit(row, limits) {
      const rows = await all();
      const refusal = refusedAdmission(row, rows.find((stored) => stored.id === row.id), rows, limits);
      return refusal ?? { admitted: true, row: (await write(row, true)) as PresenceRow };
    },
    async remove(id) {
      const stored = await get(id);
      if (stored !== undefined) await legacy.writer.delete(stored);
      return stored;
    },
    channel: async (scope, channel, now) =>
      (await all()).filter((row) => row.scope === scope && row.channel === channel && row.expiresAt > now),
    async sweep(now, limit = Infinity) {
      const removed: PresenceRow[] = [];
      for (const candidate of await legacy.expired(now)) {
        if (removed.length >= limit) break;
        const current = await get(candidate.id);
        if (current === undefined || current.expiresAt > now) continue;
        await legacy.writer.delete(current);
        removed.push(current);
      }
      return removed;
    },
    rows: all,
  };
};
