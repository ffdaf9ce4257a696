/**
 * Oracle stores `''` as `NULL`, and `WHERE scope = :scope AND channel = :channel`
 * is never true for `NULL`: members of the `''` scope or channel are stored
 * but never listed.
 */
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStore } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

/** SQL equality once `''` became `NULL`: nothing equals `NULL`. */
const sqlEquals = (stored: string, wanted: string): boolean => stored !== '' && wanted !== '' && stored === wanted;

export const emptyIsNull: ZooSpecimen = {
  name: 'empty-is-null',
  bug: "channel() never lists a row whose scope or channel is '' (Oracle stores '' as NULL)",
  caughtBy: STORE.channel,
  create: () => createNaiveStore({ inChannel: (row, scope, channel) => sqlEquals(row.scope, scope) && sqlEquals(row.channel, channel) }),
};
