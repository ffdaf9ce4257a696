/** Takes the winner's expiresAt instead of the maximum: a short-TTL heartbeat shortens the lease. */
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStore } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

export const shrinkingExpiry: ZooSpecimen = {
  name: 'shrinking-expiry',
  bug: "the merge keeps the winning row's expiresAt, so expiry can move backwards",
  caughtBy: STORE.expiresMonotonic,
  create: () => createNaiveStore({ merge: (stored, incoming) => (incoming.heartbeatAt >= stored.heartbeatAt ? incoming : stored) }),
};
