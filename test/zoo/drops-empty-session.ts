/** Empty strings are not stored (as with some hash stores): sessionId '' comes back missing. */
import type { PresenceRow } from '../../src/row.js';
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStore } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

const withoutEmptyFields = (row: PresenceRow): PresenceRow =>
  Object.fromEntries(Object.entries(structuredClone(row)).filter(([, value]) => value !== '')) as unknown as PresenceRow;

export const dropsEmptySession: ZooSpecimen = {
  name: 'drops-empty-session',
  bug: "fields holding '' are dropped on write, so sessionId '' reads back as missing",
  caughtBy: STORE.getAfterUpsert,
  create: () => createNaiveStore({ copy: withoutEmptyFields }),
};
