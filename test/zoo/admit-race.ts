/** admit counts the channel, awaits, then inserts: two joins both take the last place. */
import { refusedAdmission } from '../../src/machine.js';
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStoreWith, roundTrip } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

export const admitRace: ZooSpecimen = {
  name: 'admit-race',
  bug: 'admit checks the member count, then awaits before it inserts',
  caughtBy: STORE.raceAdmit,
  create: createNaiveStoreWith((base) => ({
    admit: async (row, limits) => {
      const members = await base.channel(row.scope, row.channel, row.heartbeatAt);
      await roundTrip();
      return refusedAdmission(row, await base.get(row.id), members, limits) ?? { admitted: true, row: await base.upsert(row) };
    },
  })),
};
