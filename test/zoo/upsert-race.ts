/** upsert reads, awaits, then writes its merge: a concurrent newer write is overwritten. */
import { STORE } from '../../spec/store/ids.js';
import { correctMerge, createNaiveStore, roundTrip } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

export const upsertRace: ZooSpecimen = {
  name: 'upsert-race',
  bug: 'upsert merges against a row read before an await, then blindly sets the result',
  caughtBy: STORE.raceUpsertUpsert,
  create: () => {
    const store = createNaiveStore();
    const { byKey } = store.parts;
    return {
      ...store,
      upsert: async (row) => {
        const stored = byKey.get(row.id);
        await roundTrip();
        const next = stored === undefined ? structuredClone(row) : correctMerge(stored, structuredClone(row));
        byKey.set(row.id, next);
        return structuredClone(next);
      },
    };
  },
};
