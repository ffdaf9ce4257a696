/** State stored through a Latin-1 text column: anything beyond U+00FF comes back mangled. */
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStore } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

const throughLatin1 = (text: string): string => Buffer.from(text, 'latin1').toString('latin1');

export const latin1State: ZooSpecimen = {
  name: 'latin1-state',
  bug: 'state is serialised through a Latin-1 encoding',
  caughtBy: STORE.roundTrip,
  create: () =>
    createNaiveStore({ copy: (row) => ({ ...structuredClone(row), state: JSON.parse(throughLatin1(JSON.stringify(row.state))) }) }),
};
