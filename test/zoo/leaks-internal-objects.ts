/** Stores and returns the caller's objects: a caller's mutation edits the store. */
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStore } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

export const leaksInternalObjects: ZooSpecimen = {
  name: 'leaks-internal-objects',
  bug: 'rows are stored and returned by reference, never copied',
  caughtBy: STORE.copies,
  create: () => createNaiveStore({ copy: (row) => row }),
};
