/**
 * An expiry index kept as an append-only log of `(expiresAt, id)` entries (the
 * shape of a Cassandra or DynamoDB TTL index table): every write appends,
 * nothing compacts, and a sweep reads one page of the 256 oldest entries. A
 * session renewed hundreds of times fills the page with its own stale
 * entries, and other expired rows are never reached.
 */
import type { PresenceRow } from '../../src/row.js';
import type { PresenceStore } from '../../src/store.js';
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStore } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

const PAGE = 256;

const createAppendOnlyIndexStore = (): PresenceStore => {
  const store = createNaiveStore();
  let log: { expiresAt: number; id: string }[] = [];
  const logged = async (row: PresenceRow | undefined): Promise<PresenceRow | undefined> => {
    if (row !== undefined) log.push({ expiresAt: row.expiresAt, id: row.id });
    return row;
  };
  return {
    ...store,
    upsert: async (row) => (await logged(await store.upsert(row)))!,
    update: async (row) => logged(await store.update(row)),
    sweep: async (now, limit = Infinity) => {
      log.sort((a, b) => a.expiresAt - b.expiresAt);
      const removed: PresenceRow[] = [];
      for (const { id } of log.slice(0, PAGE)) {
        const row = await store.get(id);
        if (row !== undefined && row.expiresAt <= now && removed.length < limit) removed.push((await store.remove(id))!);
      }
      const gone = new Set(removed.map((row) => row.id));
      log = log.filter((entry) => !gone.has(entry.id));
      return removed;
    },
  };
};

export const appendOnlyExpiryIndex: ZooSpecimen = {
  name: 'append-only-expiry-index',
  bug: 'sweep reads one page of 256 entries from an expiry log that renewals only append to',
  caughtBy: STORE.sweep,
  create: createAppendOnlyIndexStore,
};
