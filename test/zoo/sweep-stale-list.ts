/** The 0.3 cleanup: list expired rows, then delete them by id; a heartbeat in between is lost. */
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStoreWith, roundTrip } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

export const sweepStaleList: ZooSpecimen = {
  name: 'sweep-stale-list',
  bug: 'sweep reads the expired rows, awaits, then deletes by id without re-checking expiry',
  caughtBy: STORE.raceSweepRefresh,
  create: createNaiveStoreWith((store) => ({
    sweep: async (now, limit) => {
      const expired = (await store.rows()).filter((row) => row.expiresAt <= now).slice(0, limit);
      await roundTrip();
      for (const row of expired) await store.remove(row.id);
      return expired;
    },
  })),
};
