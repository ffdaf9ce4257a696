/** update is upsert: a late patch after leave brings the member back. */
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStoreWith } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

export const updateInserts: ZooSpecimen = {
  name: 'update-inserts',
  bug: 'update delegates to upsert and so inserts a missing row',
  caughtBy: STORE.updateNoResurrect,
  create: createNaiveStoreWith((store) => ({ update: store.upsert })),
};
