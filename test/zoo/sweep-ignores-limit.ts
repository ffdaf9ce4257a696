/** Sweep ignores its limit: one cleanup run can take unbounded work. */
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStoreWith } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

export const sweepIgnoresLimit: ZooSpecimen = {
  name: 'sweep-ignores-limit',
  bug: 'sweep(now, limit) removes every expired row',
  caughtBy: STORE.sweep,
  create: createNaiveStoreWith((store) => ({ sweep: (now) => store.sweep(now) })),
};
