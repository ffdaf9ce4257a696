/**
 * The PostgreSQL store's memory of the rows it last saw stored, and until
 * when each was live. Concurrent admits put a row in the shared renewal
 * statement only when this memory says the statement will likely renew it,
 * so a burst of joins (a reconnect storm after a deploy) goes straight to
 * the admit function instead of first paying a statement that renews
 * nothing. It is a guess and nothing more: a row it misses (written by
 * another node, or forgotten) or wrongly keeps (removed, swept) is still
 * admitted exactly, by the function. Bounded: past `limit` ids it starts
 * over, so a forgotten id only costs its next renewal one statement.
 *
 * @module
 */
import type { PresenceRow } from '../../row.js';

/** Remembered expiries by id. */
export interface LiveIds {
  /** Remembers a row as the store returned it. */
  saw(row: PresenceRow): void;
  /** Whether `row`'s id was last seen stored and live at `row`'s heartbeat: what the renewal statement renews. */
  likelyLive(row: PresenceRow): boolean;
}

/**
 * Creates an empty memory.
 *
 * @param limit - ids remembered at most
 * @returns the memory
 */
export const createLiveIds = (limit: number): LiveIds => {
  const expiresAt = new Map<string, number>();
  return {
    saw: (row) => {
      if (expiresAt.size >= limit && !expiresAt.has(row.id)) expiresAt.clear();
      expiresAt.set(row.id, row.expiresAt);
    },
    likelyLive: (row) => (expiresAt.get(row.id) ?? -Infinity) > row.heartbeatAt,
  };
};
