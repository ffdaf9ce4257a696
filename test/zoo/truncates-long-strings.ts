/** Strings in state are cut at 4096 characters, as a VARCHAR(4096) column would. */
import { STORE } from '../../spec/store/ids.js';
import { rewriteStrings } from './map-strings.js';
import { createNaiveStore } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

export const truncatesLongStrings: ZooSpecimen = {
  name: 'truncates-long-strings',
  bug: 'state strings longer than 4096 characters are truncated',
  caughtBy: STORE.roundTrip,
  create: () => createNaiveStore({ copy: rewriteStrings((text) => text.slice(0, 4096)) }),
};
