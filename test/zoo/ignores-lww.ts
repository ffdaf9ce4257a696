/** Overwrites on every write: a replayed old heartbeat clobbers newer state. */
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStore } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

export const ignoresLww: ZooSpecimen = {
  name: 'ignores-lww',
  bug: 'merge takes the incoming fields even when its heartbeatAt is older',
  caughtBy: STORE.lww,
  create: () =>
    createNaiveStore({ merge: (stored, incoming) => ({ ...incoming, expiresAt: Math.max(stored.expiresAt, incoming.expiresAt) }) }),
};
