/**
 * The zoo's base: a naive, correct store whose parts can each be swapped for a
 * broken one. Each specimen swaps one part or one method, so it carries
 * exactly one realistic bug and nothing else.
 */
import { refusedAdmission } from '../../src/machine.js';
import type { PresenceRow } from '../../src/row.js';
import type { PresenceStore } from '../../src/store.js';

/** The swappable parts of the naive store. */
export interface NaiveParts {
  /** Where rows live; pass a module-level map to make instances share it. */
  byKey: Map<string, PresenceRow>;
  /** The key a row id is stored under. */
  keyOf: (id: string) => string;
  /** Copies a row into or out of the store. */
  copy: (row: PresenceRow) => PresenceRow;
  /** Merges an incoming row into a stored one. */
  merge: (stored: PresenceRow, incoming: PresenceRow) => PresenceRow;
  /** Whether a row belongs to the scope and channel `channel()` was asked about. */
  inChannel: (row: PresenceRow, scope: string, channel: string) => boolean;
  /** Whether a row is live at `now` (for `channel`). */
  isLive: (row: PresenceRow, now: number) => boolean;
  /** Whether a sweep at `now` removes the row. */
  isExpired: (row: PresenceRow, now: number) => boolean;
}

/** The naive store, with its parts exposed so a specimen can reuse them. */
export type NaiveStore = PresenceStore & { readonly parts: NaiveParts };

/** The correct merge: last writer wins by heartbeatAt, expiry never shrinks. */
export const correctMerge = (stored: PresenceRow, incoming: PresenceRow): PresenceRow => ({
  ...(incoming.heartbeatAt >= stored.heartbeatAt ? incoming : stored),
  expiresAt: Math.max(stored.expiresAt, incoming.expiresAt),
});

/** Lets other calls run, as a network round trip would. */
export const roundTrip = (): Promise<void> => Promise.resolve();

/** A naive store built from correct parts, except those given. */
export const createNaiveStore = (broken: Partial<NaiveParts> = {}): NaiveStore => {
  const parts: NaiveParts = {
    byKey: new Map(),
    keyOf: (id) => id,
    copy: (row) => structuredClone(row),
    merge: correctMerge,
    inChannel: (row, scope, channel) => row.scope === scope && row.channel === channel,
    isLive: (row, now) => row.expiresAt > now,
    isExpired: (row, now) => row.expiresAt <= now,
    ...broken,
  };
  const { byKey, keyOf, copy } = parts;
  const read = (id: string) => {
    const row = byKey.get(keyOf(id));
    return row === undefined ? undefined : copy(row);
  };
  const write = (row: PresenceRow) => {
    const stored = byKey.get(keyOf(row.id));
    const next = stored === undefined ? copy(row) : parts.merge(stored, copy(row));
    byKey.set(keyOf(row.id), next);
    return copy(next);
  };
  const all = () => [...byKey.values()].map(copy);
  return {
    parts,
    get: read,
    upsert: write,
    admit: (row, limits) => refusedAdmission(row, read(row.id), all(), limits) ?? { admitted: true, row: write(row) },
    update: (row) => (byKey.has(keyOf(row.id)) ? write(row) : undefined),
    remove: (id) => {
      const row = read(id);
      byKey.delete(keyOf(id));
      return row;
    },
    channel: (scope, channel, now) => all().filter((row) => parts.inChannel(row, scope, channel) && parts.isLive(row, now)),
    sweep: (now, limit = Infinity) => {
      const expired = all().filter((row) => parts.isExpired(row, now)).slice(0, limit);
      for (const row of expired) byKey.delete(keyOf(row.id));
      return expired;
    },
    rows: all,
  };
};

/** A naive store with some methods replaced; `override` receives the correct store to build on. */
export const createNaiveStoreWith =
  (override: (base: NaiveStore) => Partial<PresenceStore>) =>
  (): PresenceStore => {
    const base = createNaiveStore();
    return { ...base, ...override(base) };
  };
