/**
 * The stable ids of the store invariants, so commands can attribute what they
 * observe without importing the families that describe the rules.
 *
 * @module
 */

/** Store invariant ids; reports, docs and the zoo cite these strings. */
export const STORE = {
  /** get returns exactly the row an upsert inserted. */
  getAfterUpsert: 'STORE-GET-AFTER-UPSERT',
  /** Last writer wins by heartbeatAt. */
  lww: 'STORE-LWW',
  /** expiresAt never decreases. */
  expiresMonotonic: 'STORE-EXPIRES-MONOTONIC',
  /** update never inserts a missing row. */
  updateNoResurrect: 'STORE-UPDATE-NO-RESURRECT',
  /** remove deletes exactly one id and returns it. */
  removeExact: 'STORE-REMOVE-EXACT',
  /** channel returns exactly the live rows of one scope and channel. */
  channel: 'STORE-CHANNEL',
  /** sweep removes exactly the expired rows, at most limit, idempotently. */
  sweep: 'STORE-SWEEP',
  /** rows lists every stored row. */
  rows: 'STORE-ROWS',
  /** The store keeps its own copies. */
  copies: 'STORE-COPIES',
  /** State round-trips exactly. */
  roundTrip: 'STORE-ROUNDTRIP',
  /** Distinct identities never collide, whatever their characters. */
  ids: 'STORE-IDS',
  /** Two stores from create() share nothing. */
  instances: 'STORE-INSTANCES',
  /** A sweep never removes a row refreshed while it runs. */
  raceSweepRefresh: 'STORE-RACE-SWEEP-REFRESH',
  /** Concurrent upserts keep the newer heartbeat. */
  raceUpsertUpsert: 'STORE-RACE-UPSERT-UPSERT',
  /** An update racing a remove never resurrects the row. */
  raceUpdateRemove: 'STORE-RACE-UPDATE-REMOVE',
  /** admit refuses a new member exactly at the limits and changes nothing when it does. */
  admit: 'STORE-ADMIT',
  /** Concurrent joins never overshoot a limit. */
  raceAdmit: 'STORE-RACE-ADMIT',
  /** An optional lend reads like get and stays put until the next write. */
  lend: 'STORE-LEND',
  /** A lent row's optional state size is exact. */
  lendBytes: 'STORE-LOAN-BYTES',
} as const;

/** One of the store invariant ids. */
export type StoreInvariantId = (typeof STORE)[keyof typeof STORE];
