/** remove() deletes every session of the actor in the channel: closing one tab logs out all. */
import type { PresenceRow } from '../../src/row.js';
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStoreWith } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

export const removeNeighbour: ZooSpecimen = {
  name: 'remove-neighbour',
  bug: "remove(id) also deletes the actor's other sessions in the same channel",
  caughtBy: STORE.removeExact,
  create: createNaiveStoreWith((store) => ({
    remove: async (id) => {
      const target = await store.get(id);
      const sameActor = (row: PresenceRow) =>
        row.scope === target?.scope && row.channel === target.channel && row.actorId === target.actorId;
      for (const row of (await store.rows()).filter(sameActor)) await store.remove(row.id);
      return target;
    },
  })),
};
