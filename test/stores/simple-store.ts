/**
 * A second clean presence store, written independently of the memory store
 * and of the kit's model: rows live as JSON text in a `Map`, so copies are
 * free, and every method is async, so the kit's async paths are exercised.
 */
import { refusedAdmission } from '../../src/machine.js';
import type { PresenceRow } from '../../src/row.js';
import type { PresenceStore } from '../../src/store.js';

/** A correct, unindexed, async presence store backed by JSON text. */
export const createSimpleStore = (): PresenceStore => {
  const texts = new Map<string, string>();
  const read = (id: string): PresenceRow | undefined => {
    const text = texts.get(id);
    return text === undefined ? undefined : (JSON.parse(text) as PresenceRow);
  };
  const all = (): PresenceRow[] => [...texts.values()].map((text) => JSON.parse(text) as PresenceRow);
  const write = (incoming: PresenceRow): PresenceRow => {
    const stored = read(incoming.id);
    const winner = stored === undefined || incoming.heartbeatAt >= stored.heartbeatAt ? incoming : stored;
    const next = { ...winner, expiresAt: Math.max(stored?.expiresAt ?? -Infinity, incoming.expiresAt) };
    texts.set(incoming.id, JSON.stringify(next));
    return read(incoming.id) as PresenceRow;
  };
  return {
    get: async (id) => read(id),
    upsert: async (row) => write(row),
    // Synchronous inside: nothing runs between the count and the write.
    admit: async (row, limits) => refusedAdmission(row, read(row.id), all(), limits) ?? { admitted: true, row: write(row) },
    update: async (row) => (texts.has(row.id) ? write(row) : undefined),
    remove: async (id) => {
      const row = read(id);
      texts.delete(id);
      return row;
    },
    channel: async (scope, channel, now) =>
      all().filter((row) => row.scope === scope && row.channel === channel && row.expiresAt > now),
    sweep: async (now, limit = Infinity) => {
      const expired = all()
        .filter((row) => row.expiresAt <= now)
        .slice(0, limit);
      for (const row of expired) texts.delete(row.id);
      return expired;
    },
    rows: async () => all(),
  };
};

export default createSimpleStore;
