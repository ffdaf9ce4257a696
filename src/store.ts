/**
 * The store interface: the one thing third parties implement. Every method may
 * be synchronous or return a promise; each write is atomic on its own, which
 * is what makes the pack race-free on a store shared by several nodes.
 *
 * @module
 */
import type { Awaitable } from './contract.js';
import type { PresenceIdentity, PresenceRow, ReadonlyJsonValue } from './row.js';

/** The limits {@link PresenceStore.admit} enforces on a new member of a channel. */
export interface AdmissionLimits {
  /** Most live rows one scope's channel may hold. */
  maxMembers: number;
  /** Most live rows one actor may hold in one scope's channel. */
  maxSessionsPerActor: number;
}

/** What {@link PresenceStore.admit} did: stored the row, or refused it and changed nothing. */
export type Admission =
  | {
      /** Stored. */
      admitted: true;
      /** The stored row, as `upsert` returns it. */
      row: PresenceRow;
    }
  | {
      /** Refused; nothing changed. */
      admitted: false;
      /** Which limit was reached: the channel's members, or the actor's sessions in it. */
      full: 'channel' | 'actor';
      /** The live rows counted against that limit (other ids only). */
      live: number;
    };

/**
 * A row a store lends (see {@link PresenceStore.lend}): read-only at every
 * depth. It may be the store's own record, so it may carry fields of its own
 * besides these; a reader takes the row's fields by name, never by spreading it.
 */
export interface LentRow extends Readonly<PresenceIdentity> {
  /** As {@link PresenceRow.id}. */
  readonly id: string;
  /** As {@link PresenceRow.state}, not to be mutated at any depth. */
  readonly state: { readonly [key: string]: ReadonlyJsonValue };
  /** As {@link PresenceRow.expiresAt}. */
  readonly expiresAt: number;
  /** As {@link PresenceRow.heartbeatAt}. */
  readonly heartbeatAt: number;
  /**
   * Optional: the UTF-8 bytes of `JSON.stringify(state)`, for a store that
   * keeps it (the memory store measures each state it stores). A patch then
   * checks the size limit by counting only what it changes, instead of
   * walking the whole merged state; without it (a row whose size the store
   * does not know) the pack walks the state. It must be exact whenever it is
   * given (STORE-LOAN-BYTES): the limit is only as exact as this number.
   */
  readonly stateBytes?: number;
}

/**
 * Where presence rows live. Certify an implementation with `certifyPresenceStore`.
 *
 * A row's `id` is always `presenceRowId(row)`, so the id alone names a row: a
 * store may key on it and take the other identity fields (scope, channel,
 * actor, session) from the first write. Writes under one id never disagree
 * about them; a row whose fields contradict its id is outside this contract.
 */
export interface PresenceStore {
  /** The row with this id, or `undefined`. Expired rows not yet swept are returned. */
  get(id: string): Awaitable<PresenceRow | undefined>;
  /**
   * Optional: `get` without the copy, for a store whose reads can skip it (an
   * in-process one). The row with this id as stored now, or `undefined`,
   * lent read-only: it may be the store's own object, so the caller never
   * mutates it at any depth, never hands it on, and reads it only until its
   * next write to the store (the pack reads a patch's row, then writes).
   * What the store promises in return (STORE-LEND): the lent row's fields
   * equal what `get(id)` answers at that moment, and they stay so until the
   * next write to the store, whatever reads (`get`, `channel`, `rows`,
   * `lend` of any id) come in between. A store without it is read through
   * `get`; a network store gains nothing from it.
   */
  lend?(id: string): Awaitable<LentRow | undefined>;
  /**
   * Inserts the row, or merges it into the stored one: the incoming fields win
   * iff `row.heartbeatAt >= stored.heartbeatAt` (last writer wins), and
   * `expiresAt` becomes the larger of the two. Returns the stored row. Atomic.
   */
  upsert(row: PresenceRow): Awaitable<PresenceRow>;
  /**
   * A heartbeat's write: `upsert`, unless the row is a new member. Judged at
   * `now = row.heartbeatAt`: when the id is stored and live it merges exactly
   * as `upsert`. Otherwise, if the row's scope and channel already hold
   * `maxMembers` live rows of other ids, or its actor `maxSessionsPerActor` of
   * them there, it changes nothing and reports the limit; else it upserts.
   * Atomic with every other `admit`: concurrent joins never overshoot a limit.
   */
  admit(row: PresenceRow, limits: AdmissionLimits): Awaitable<Admission>;
  /** Like `upsert`, but only if the id is stored; never inserts. Returns the stored row or `undefined`. */
  update(row: PresenceRow): Awaitable<PresenceRow | undefined>;
  /** Deletes one id; returns the removed row or `undefined`. */
  remove(id: string): Awaitable<PresenceRow | undefined>;
  /** Exactly the rows of this scope and channel with `expiresAt > now`. */
  channel(scope: string, channel: string, now: number): Awaitable<PresenceRow[]>;
  /** Atomically deletes and returns rows with `expiresAt <= now`, at most `limit` of them. */
  sweep(now: number, limit?: number): Awaitable<PresenceRow[]>;
  /** Every stored row, expired or not. May be slow: snapshots and `reader.all` only. */
  rows(): Awaitable<PresenceRow[]>;
}
