/** Sweep with `<`: rows that expire exactly at `now` are left behind. */
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStore } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

export const sweepStrict: ZooSpecimen = {
  name: 'sweep-strict',
  bug: 'sweep removes expiresAt < now instead of expiresAt <= now',
  caughtBy: STORE.sweep,
  create: () => createNaiveStore({ isExpired: (row, now) => row.expiresAt < now }),
};
