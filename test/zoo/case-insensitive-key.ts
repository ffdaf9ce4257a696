/**
 * The primary key compares under MySQL's default `utf8mb4_0900_ai_ci`-style
 * collation with PAD SPACE (`utf8mb4_general_ci`): case is folded and trailing
 * spaces are ignored, so `room`, `Room` and `room ` are one row.
 */
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStore } from './naive-store.js';
import { normalizedKey } from './normalized-key.js';
import type { ZooSpecimen } from './specimen.js';

export const caseInsensitiveKey: ZooSpecimen = {
  name: 'case-insensitive-key',
  bug: 'identity parts are compared case-insensitively and without trailing spaces (MySQL ci collation, PAD SPACE)',
  caughtBy: STORE.ids,
  create: () => createNaiveStore({ keyOf: normalizedKey((part) => part.toLowerCase().replace(/ +$/, '')) }),
};
