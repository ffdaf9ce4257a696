/** upsert reads, awaits, then writes its merge: a concurrent newer write is overwritten. */
import { STORE } from '../../spec/store/ids.js';
import { correctMerge, createNaiveStoreWith, roundTrip } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

export const upsertRace: ZooSpecimen = {
  name: 'upsert-race',
  bug: 'upsert merges against a row read before an await, then blindly sets the result',
  caughtBy: STORE.raceUpsertUpsert,
  create: createNaiveStoreWith(({ parts: { byKey } }) => ({
    upsert: async (row) => {
      const stored = byKey.get(row.id);
      await roundTrip();
      const next = stored === undefined ? structuredClone(row) : correctMerge(stored, structuredClone(row));
      byKey.set(row.id, next);
      return structuredClone(next);
    },
  })),
};
