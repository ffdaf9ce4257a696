/**
 * The actor column has SQLite NUMERIC affinity (declared `INT`, or a key built
 * with `Number(actorId)`): `007`, `7.0` and `7` become the integer 7, `1e3`
 * becomes 1000 and `-0` becomes 0, so distinct actors share a row.
 */
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStore } from './naive-store.js';
import { normalizedKey } from './normalized-key.js';
import type { ZooSpecimen } from './specimen.js';

/** What NUMERIC affinity does to a text value that looks like a number. */
const numericAffinity = (part: string): string => (part.trim() !== '' && Number.isFinite(Number(part)) ? String(Number(part)) : part);

export const numericAffinityKey: ZooSpecimen = {
  name: 'numeric-affinity',
  bug: 'numeric-looking identity parts are stored as numbers, so `007`, `7.0` and `7` collide',
  caughtBy: STORE.ids,
  create: () => createNaiveStore({ keyOf: normalizedKey(numericAffinity) }),
};
