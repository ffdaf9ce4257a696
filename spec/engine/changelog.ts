/**
 * The change log and resume cursors (the real engine's 1.17+ behaviour).
 * Every committed change is logged under its batch's local version and its
 * `(origin, originVersion)`: this engine and its own version for local
 * commits, the peer and the peer's version for batches from the cluster bus.
 * The log keeps the newest `size` entries, in a ring buffer: a commit
 * overwrites the oldest slot instead of shifting the whole log, so logging
 * costs the same however full the log is (the real engine shifts an array,
 * and walks the log for every cursor). A cursor is the JSON of
 * `{ [instanceId]: version }` plus, for each peer still in the log, the
 * newest `originVersion` logged from it; a bare number means a version of
 * this engine.
 *
 * Resuming is possible only for an incremental subscription whose gap is
 * still in the log, origin by origin. The catch-up then replays the logged
 * rows of the collection's tables that the cursor has not seen (per origin):
 * the last change per key wins, a row `match` (and the read rule) keeps is
 * sent as `changed`, anything else as `removed` with the logged row, and
 * nothing as `added`.
 *
 * @module
 */
import type { RowKey, TableChange } from '../../src/contract.js';
import type { PeerOrigin } from './cluster.js';
import type { RecentChange, ViewDiff } from './types.js';

/** One logged change. */
interface LoggedChange extends TableChange<unknown>, PeerOrigin {
  /** The batch's version on this engine. */
  version: number;
  /** The table written. */
  table: string;
}

/** How many entries `inspect().recentChanges` shows, as in the engine. */
const RECENT_CHANGES = 50;

/** The engine version, the log behind it and the cursors over it. */
export interface ChangeLog {
  /** The current engine version. */
  readonly version: number;
  /** Logs one batch under a new version and returns that version; `peer` when it came from the cluster bus. */
  commit(changes: readonly (TableChange<unknown> & { table: string })[], peer?: PeerOrigin): number;
  /** The cursor as of now. */
  cursor(): string;
  /** Whether a subscription can resume from `since` (incremental ones only). */
  canResume(since: number | string, incremental: boolean): boolean;
  /** The catch-up diff since `since` for the given tables. */
  catchup(since: number | string, tables: readonly string[], key: (row: unknown) => RowKey, keep: (row: unknown) => boolean): ViewDiff;
  /** The last 50 entries, oldest first. */
  recent(): RecentChange[];
}

/**
 * Creates an empty log at version 0.
 *
 * @param instanceId - this engine's id, the key of its cursor entry
 * @param size - how many entries to keep
 * @returns the log
 */
export function createChangeLog(instanceId: string, size: number): ChangeLog {
  // The ring: `count` entries, the oldest at `slots[head]`. The engine keeps a
  // whole number of entries (it trims while longer than `size`; never for NaN).
  const capacity = Number.isNaN(size) ? Infinity : Math.max(0, Math.ceil(size));
  const slots: LoggedChange[] = [];
  let head = 0;
  let count = 0;
  let version = 0;
  // Per peer still in the log: its entry count and newest originVersion, so a cursor costs no log walk.
  const peers = new Map<string, { count: number; newest: number }>();

  /** The client's last-seen version per origin; `null` for an unreadable cursor. */
  const seenVector = (since: number | string): Map<string, number> | null => {
    if (typeof since === 'number') return new Map([[instanceId, since]]);
    let parsed: unknown;
    try {
      parsed = JSON.parse(since);
    } catch {
      return null;
    }
    if (typeof parsed !== 'object' || parsed === null) return null;
    const vector = new Map<string, number>();
    for (const [origin, value] of Object.entries(parsed)) if (typeof value === 'number') vector.set(origin, value);
    return vector;
  };

  /** The logged entries, oldest first (a copy: subscribe-time work only). */
  const ordered = (): LoggedChange[] => {
    const list: LoggedChange[] = [];
    for (let index = 0; index < count; index++) list.push(slots[(head + index) % capacity]!);
    return list;
  };

  /** Forgets a trimmed entry's share of its peer's tally. */
  const trim = (entry: LoggedChange): void => {
    const tally = peers.get(entry.origin);
    if (tally && --tally.count === 0) peers.delete(entry.origin);
  };

  /** Appends one entry, overwriting (and trimming) the oldest once the log is full. */
  const append = (entry: LoggedChange): void => {
    if (count < capacity) {
      slots[(head + count) % capacity] = entry;
      count++;
    } else if (capacity === 0) trim(entry);
    else {
      trim(slots[head]!);
      slots[head] = entry;
      head = (head + 1) % capacity;
    }
  };

  /** Whether the log still holds everything of `origin` after `seen`. */
  const covers = (entries: readonly LoggedChange[], origin: string, seen: number): boolean => {
    if (origin === instanceId && seen >= version) return true;
    let oldest: number | undefined;
    for (const entry of entries) if (entry.origin === origin && (oldest === undefined || entry.originVersion < oldest)) oldest = entry.originVersion;
    if (oldest !== undefined) return oldest <= seen + 1;
    // Nothing of this origin logged: fine for this engine unless the log was trimmed past `seen`, never for a peer the cursor saw.
    if (origin !== instanceId) return seen <= 0;
    const first = entries[0]?.version;
    return first === undefined || first <= seen + 1;
  };

  return {
    get version() {
      return version;
    },
    commit(changes, peer) {
      version += 1;
      const origin = peer?.origin ?? instanceId;
      const originVersion = peer?.originVersion ?? version;
      if (peer) peers.set(origin, { count: (peers.get(origin)?.count ?? 0) + changes.length, newest: originVersion });
      for (const { table, op, row } of changes) append({ version, table, op, row, origin, originVersion });
      return version;
    },
    cursor() {
      const vector = new Map([[instanceId, version]]);
      for (const [origin, { newest }] of peers) if (!vector.has(origin)) vector.set(origin, newest);
      return JSON.stringify(Object.fromEntries(vector));
    },
    canResume(since, incremental) {
      if (!incremental) return false;
      const vector = seenVector(since);
      if (vector === null) return false;
      const entries = ordered();
      for (const [origin, seen] of vector) if (!covers(entries, origin, seen)) return false;
      return true;
    },
    catchup(since, tables, key, keep) {
      const vector = seenVector(since) ?? new Map<string, number>();
      const latest = new Map<RowKey, { present: boolean; row: unknown }>();
      for (const entry of ordered()) {
        const seen = vector.get(entry.origin);
        if (!tables.includes(entry.table) || (seen !== undefined && entry.originVersion <= seen)) continue;
        latest.set(key(entry.row), { present: entry.op !== 'delete' && keep(entry.row), row: entry.row });
      }
      const diff: ViewDiff = { added: [], changed: [], removed: [] };
      for (const { present, row } of latest.values()) (present ? diff.changed : diff.removed).push(row);
      return diff;
    },
    recent: () => ordered().slice(-RECENT_CHANGES).map(({ version: v, table, op }) => ({ version: v, table, op })),
  };
}
