/** channel() filters by channel only: tenants see each other's members. */
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStoreWith } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

export const channelLeaksScope: ZooSpecimen = {
  name: 'channel-leaks-scope',
  bug: 'channel() ignores the scope argument',
  caughtBy: STORE.channel,
  create: createNaiveStoreWith((store) => ({
    channel: async (_scope, channel, now) => (await store.rows()).filter((row) => row.channel === channel && row.expiresAt > now),
  })),
};
