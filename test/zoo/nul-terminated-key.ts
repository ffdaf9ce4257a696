/**
 * Identity parts pass through a C string (libpq text parameters, a Lua
 * `string.format('%s')` in a Redis script): everything from the first NUL on
 * is lost, so channel `a\0b` is channel `a`.
 */
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStore } from './naive-store.js';
import { normalizedKey } from './normalized-key.js';
import type { ZooSpecimen } from './specimen.js';

export const nulTerminatedKey: ZooSpecimen = {
  name: 'nul-terminated-key',
  bug: 'identity parts are cut at the first NUL character',
  caughtBy: STORE.ids,
  create: () => createNaiveStore({ keyOf: normalizedKey((part) => part.split('\u0000')[0] ?? '') }),
};
