/**
 * Every read returns at most 1 000 rows, the default page of PostgREST and
 * Supabase (`max-rows`), DynamoDB-style pagination left unfollowed: a channel
 * with more members lists only some of them.
 */
import { STORE } from '../../spec/store/ids.js';
import { createNaiveStoreWith } from './naive-store.js';
import type { ZooSpecimen } from './specimen.js';

export const RESULT_CAP = 1_000;

export const channelResultCap: ZooSpecimen = {
  name: 'channel-result-cap',
  bug: 'channel() returns at most 1 000 rows (an unfollowed page or a default LIMIT)',
  caughtBy: STORE.channel,
  create: createNaiveStoreWith((store) => ({
    channel: async (scope, channel, now) => (await store.channel(scope, channel, now)).slice(0, RESULT_CAP),
  })),
};

export const sweepResultCap: ZooSpecimen = {
  name: 'sweep-result-cap',
  bug: 'sweep(now) without a limit removes at most 1 000 rows (`DELETE ... LIMIT 1000` used as the default)',
  caughtBy: STORE.sweep,
  create: createNaiveStoreWith((store) => ({
    sweep: async (now, limit) => store.sweep(now, limit ?? RESULT_CAP),
  })),
};
