/**
 * The stable ids of the store invariants, so commands can attribute what they
 * observe without importing the families that describe the rules.
 *
 * @module
 */

/** Store invariant ids; reports, docs and the zoo cite these strings. */
export const STORE = {
  getAfterUpsert: 'STORE-GET-AFTER-UPSERT',
  lww: 'STORE-LWW',
  expiresMonotonic: 'STORE-EXPIRES-MONOTONIC',
  updateNoResurrect: 'STORE-UPDATE-NO-RESURRECT',
  removeExact: 'STORE-REMOVE-EXACT',
  channel: 'STORE-CHANNEL',
  sweep: 'STORE-SWEEP',
  rows: 'STORE-ROWS',
  copies: 'STORE-COPIES',
  roundTrip: 'STORE-ROUNDTRIP',
  ids: 'STORE-IDS',
  instances: 'STORE-INSTANCES',
  raceSweepRefresh: 'STORE-RACE-SWEEP-REFRESH',
  raceUpsertUpsert: 'STORE-RACE-UPSERT-UPSERT',
  raceUpdateRemove: 'STORE-RACE-UPDATE-REMOVE',
} as const;

/** One of the store invariant ids. */
export type StoreInvariantId = (typeof STORE)[keyof typeof STORE];
