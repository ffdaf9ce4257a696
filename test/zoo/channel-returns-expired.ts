/** Liveness with `>=`: a row is shown at the very instant it expires. */
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStore } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

export const channelReturnsExpired: ZooSpecimen = {
  name: 'channel-returns-expired',
  bug: 'channel() treats expiresAt >= now as live, so a row is visible at its expiry instant',
  caughtBy: STORE.channel,
  create: () => createNaiveStore({ isLive: (row, now) => row.expiresAt >= now }),
};
