/** Sweep ignores its limit: one cleanup run can take unbounded work. */
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStore } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

export const sweepIgnoresLimit: ZooSpecimen = {
  name: 'sweep-ignores-limit',
  bug: 'sweep(now, limit) removes every expired row',
  caughtBy: STORE.sweep,
  create: () => {
    const store = createNaiveStore();
    return { ...store, sweep: (now) => store.sweep(now) };
  },
};
