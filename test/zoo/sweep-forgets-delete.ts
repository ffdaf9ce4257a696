/** Sweep reports expired rows but never deletes them: cleanup repeats forever. */
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStoreWith } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

export const sweepForgetsDelete: ZooSpecimen = {
  name: 'sweep-forgets-delete',
  bug: 'sweep returns the expired rows without deleting them',
  caughtBy: STORE.sweep,
  create: createNaiveStoreWith((store) => ({
    sweep: async (now, limit) => (await store.rows()).filter((row) => row.expiresAt <= now).slice(0, limit),
  })),
};
