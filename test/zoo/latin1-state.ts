/** State strings stored through a Latin-1 text column: anything beyond U+00FF comes back mangled. */
import { STORE } from '../../spec/store/ids.js';
import { rewriteStrings } from './map-strings.js';
import { createNaiveStore } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

export const latin1State: ZooSpecimen = {
  name: 'latin1-state',
  bug: 'state strings are stored through a Latin-1 encoding',
  caughtBy: STORE.roundTrip,
  create: () => createNaiveStore({ copy: rewriteStrings((text) => Buffer.from(text, 'latin1').toString('latin1')) }),
};
