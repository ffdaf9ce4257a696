/**
 * The change log and resume cursors (the real engine's 1.17+ behaviour for
 * one instance). Every committed change is logged under its batch's
 * version; the log keeps the newest `size` entries. A cursor is the JSON of
 * `{ [instanceId]: version }`; a bare number means a version of this engine.
 *
 * Resuming is possible only for an incremental subscription whose gap
 * `(since, now]` is still fully in the log. The catch-up then replays the
 * logged rows of the collection's tables: the last change per key wins, a
 * row `match` (and the read rule) keeps is sent as `changed`, anything else
 * as `removed` with the logged row, and nothing as `added`.
 *
 * @module
 */
import type { RowKey, TableChange } from '../../src/contract.js';
import type { RecentChange, ViewDiff } from './types.js';

/** One logged change. */
interface LoggedChange extends TableChange<unknown> {
  /** The batch's engine version. */
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
  /** Logs one batch under a new version and returns that version. */
  commit(changes: readonly (TableChange<unknown> & { table: string })[]): number;
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
  const entries: LoggedChange[] = [];
  let version = 0;

  /** The client's last-seen version of this instance; `null` for an unreadable cursor. */
  const lastSeen = (since: number | string): { seen: number | undefined; peers: number[] } | null => {
    if (typeof since === 'number') return { seen: since, peers: [] };
    let parsed: unknown;
    try {
      parsed = JSON.parse(since);
    } catch {
      return null;
    }
    if (typeof parsed !== 'object' || parsed === null) return null;
    let seen: number | undefined;
    const peers: number[] = [];
    for (const [origin, value] of Object.entries(parsed)) {
      if (typeof value !== 'number') continue;
      if (origin === instanceId) seen = value;
      else peers.push(value);
    }
    return { seen, peers };
  };

  return {
    get version() {
      return version;
    },
    commit(changes) {
      version += 1;
      for (const { table, op, row } of changes) entries.push({ version, table, op, row });
      if (entries.length > size) entries.splice(0, entries.length - size);
      return version;
    },
    cursor: () => JSON.stringify({ [instanceId]: version }),
    canResume(since, incremental) {
      if (!incremental) return false;
      const vector = lastSeen(since);
      if (vector === null) return false;
      // This engine never logs a peer's change, so a cursor that saw one cannot be served.
      if (vector.peers.some((seen) => seen > 0)) return false;
      const { seen } = vector;
      if (seen === undefined || seen >= version) return true;
      const oldest = entries[0]?.version;
      return oldest === undefined || oldest <= seen + 1;
    },
    catchup(since, tables, key, keep) {
      const seen = lastSeen(since)?.seen;
      const latest = new Map<RowKey, { present: boolean; row: unknown }>();
      for (const entry of entries) {
        if (!tables.includes(entry.table) || (seen !== undefined && entry.version <= seen)) continue;
        latest.set(key(entry.row), { present: entry.op !== 'delete' && keep(entry.row), row: entry.row });
      }
      const diff: ViewDiff = { added: [], changed: [], removed: [] };
      for (const { present, row } of latest.values()) (present ? diff.changed : diff.removed).push(row);
      return diff;
    },
    recent: () => entries.slice(-RECENT_CHANGES).map(({ version: v, table, op }) => ({ version: v, table, op })),
  };
}
