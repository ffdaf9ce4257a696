/** Copies rows with a spread: the nested state object is still shared. */
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStore } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

export const shallowCopy: ZooSpecimen = {
  name: 'shallow-copy',
  bug: 'rows are copied one level deep, so state objects are shared with callers',
  caughtBy: STORE.copies,
  create: () => createNaiveStore({ copy: (row) => ({ ...row }) }),
};
