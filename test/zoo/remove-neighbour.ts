/** remove() deletes every session of the actor in the channel: closing one tab logs out all. */
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStore } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

export const removeNeighbour: ZooSpecimen = {
  name: 'remove-neighbour',
  bug: "remove(id) also deletes the actor's other sessions in the same channel",
  caughtBy: STORE.removeExact,
  create: () => {
    const store = createNaiveStore();
    return {
      ...store,
      remove: async (id) => {
        const target = await store.get(id);
        for (const row of await store.rows()) {
          if (target !== undefined && row.scope === target.scope && row.channel === target.channel && row.actorId === target.actorId) {
            await store.remove(row.id);
          }
        }
        return target;
      },
    };
  },
};
