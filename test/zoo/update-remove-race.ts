/** update checks existence, awaits, then writes: a remove in between is undone. */
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStoreWith, roundTrip } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

export const updateRemoveRace: ZooSpecimen = {
  name: 'update-remove-race',
  bug: 'update reads the row, awaits, then upserts, resurrecting a row removed meanwhile',
  caughtBy: STORE.raceUpdateRemove,
  create: createNaiveStoreWith((store) => ({
    update: async (row) => {
      if ((await store.get(row.id)) === undefined) return undefined;
      await roundTrip();
      return store.upsert(row);
    },
  })),
};
