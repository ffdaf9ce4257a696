/** rows() lists only live rows: snapshots miss members that expired but were not swept. */
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStoreWith } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

export const rowsHidesExpired: ZooSpecimen = {
  name: 'rows-hides-expired',
  bug: 'rows() filters out rows whose expiresAt is in the past',
  caughtBy: STORE.rows,
  create: createNaiveStoreWith((store) => ({ rows: async () => (await store.rows()).filter((row) => row.expiresAt > Date.now()) })),
};
