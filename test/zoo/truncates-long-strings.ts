/** Strings in state are cut at 4096 characters, as a VARCHAR(4096) column would. */
import type { JsonValue } from '../../src/row.js';
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStore } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

const cut = (value: JsonValue): JsonValue => {
  if (typeof value === 'string') return value.slice(0, 4096);
  if (Array.isArray(value)) return value.map(cut);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, cut(inner)]));
  return value;
};

export const truncatesLongStrings: ZooSpecimen = {
  name: 'truncates-long-strings',
  bug: 'state strings longer than 4096 characters are truncated',
  caughtBy: STORE.roundTrip,
  create: () => createNaiveStore({ copy: (row) => ({ ...structuredClone(row), state: cut(row.state) as typeof row.state }) }),
};
