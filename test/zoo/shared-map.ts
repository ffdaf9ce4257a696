/** A module-level map: every store instance is the same store. */
import type { PresenceRow } from '../../src/row.js';
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStore } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

const everyone = new Map<string, PresenceRow>();

export const sharedMap: ZooSpecimen = {
  name: 'shared-map',
  bug: 'all instances keep their rows in one module-level map',
  caughtBy: STORE.instances,
  create: () => createNaiveStore({ byKey: everyone }),
};
