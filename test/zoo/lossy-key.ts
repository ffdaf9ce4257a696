/** The 0.3 key `${channel}:${actorId}`: scopes, sessions and `:` in names collide. */
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStore } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

const legacyKey = (id: string): string => {
  const [, channel, actorId] = JSON.parse(id) as string[];
  return `${channel}:${actorId}`;
};

export const lossyKey: ZooSpecimen = {
  name: 'lossy-key',
  bug: 'rows are keyed by `${channel}:${actorId}` computed from the id, not by the id',
  caughtBy: STORE.ids,
  create: () => createNaiveStore({ keyOf: legacyKey }),
};
