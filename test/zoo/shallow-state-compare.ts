/**
 * A write-saving shortcut gone wrong: when the incoming state has the same
 * keys as the stored one, the store skips the state write (as a Redis store
 * diffing `HSET` fields by name, or an ORM's dirty check on top-level keys,
 * would), so a cursor that moved only in `y` is dropped.
 */
import type { PresenceRow } from '../../src/row.js';
import { STORE } from '../../spec/store/ids.js';
import { correctMerge, createNaiveStore } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

const sameKeys = (left: object, right: object): boolean => Object.keys(left).join('\u0000') === Object.keys(right).join('\u0000');

const mergeSkippingSameKeys = (stored: PresenceRow, incoming: PresenceRow): PresenceRow => {
  const merged = correctMerge(stored, incoming);
  return sameKeys(stored.state, incoming.state) ? { ...merged, state: stored.state } : merged;
};

export const shallowStateCompare: ZooSpecimen = {
  name: 'shallow-state-compare',
  bug: 'a newer state with the same keys as the stored one is not written',
  caughtBy: STORE.lww,
  create: () => createNaiveStore({ merge: mergeSkippingSameKeys }),
};
