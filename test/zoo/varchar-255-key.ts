/**
 * Identity columns are `VARCHAR(255)` and MySQL runs without strict mode:
 * longer values are silently truncated, so parts that differ only after
 * their 255th character share a row.
 */
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStore } from './naive-store.js';
import { normalizedKey } from './normalized-key.js';
import type { ZooSpecimen } from './specimen.js';

export const varchar255Key: ZooSpecimen = {
  name: 'varchar-255-key',
  bug: 'identity parts are truncated to 255 characters (VARCHAR(255), non-strict MySQL)',
  caughtBy: STORE.ids,
  create: () => createNaiveStore({ keyOf: normalizedKey((part) => part.slice(0, 255)) }),
};
