/**
 * The store interface: the one thing third parties implement. Every method may
 * be synchronous or return a promise; each write is atomic on its own, which
 * is what makes the pack race-free on a store shared by several nodes.
 *
 * @module
 */
import type { Awaitable } from './contract.js';
import type { PresenceRow } from './row.js';

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
   * Inserts the row, or merges it into the stored one: the incoming fields win
   * iff `row.heartbeatAt >= stored.heartbeatAt` (last writer wins), and
   * `expiresAt` becomes the larger of the two. Returns the stored row. Atomic.
   */
  upsert(row: PresenceRow): Awaitable<PresenceRow>;
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
