/**
 * The presence state machine: every decision the pack makes, as pure
 * functions of (stored row, input, now, settings). No I/O, no clock reads.
 *
 * The rules:
 * - A row is live iff `expiresAt > now`. Liveness is time, not cleanup: an
 *   expired row that no sweep has removed yet is still invisible.
 * - A heartbeat sets `heartbeatAt = now` and `expiresAt = max(stored, now + ttl)`,
 *   so a TTL never shrinks, even when the clock steps back. Its state replaces
 *   the stored one when given and renews it when omitted; a row that had
 *   expired starts again from `{}`.
 * - A patch (cursor, typing) changes `state` only: never `expiresAt` or
 *   `heartbeatAt`. On a missing or expired row it fails with `NOT_PRESENT`
 *   and never makes the row live again.
 * - A leave removes the caller's row for one session, or every session of the
 *   caller in the channel when none is named.
 * - A heartbeat of a new member (no live row under its id) is refused when
 *   its channel already holds `maxMembers` live rows of other ids, or its
 *   actor `maxSessionsPerActor` of them; a member already live is never refused.
 * - A row is visible to a reader iff it is live and belongs to the reader's
 *   scope and channel; it is writable by a caller iff it carries the caller's
 *   actor and scope.
 * - Reconciling a channel's views with its live rows deletes every held id
 *   that is not live and updates every live row the views lack or hold in
 *   another version; rows already as live are left alone.
 *
 * @module
 */
import { PresenceError } from './errors.js';
import { sameJson } from './json.js';
import type { Admission, AdmissionLimits, LentRow } from './store.js';
import { presenceRowId, type JsonValue, type PresenceIdentity, type PresenceRow, type PresenceState } from './row.js';

/** Whether the row is live at `now`. */
export const isLive = (row: Pick<PresenceRow, 'expiresAt'>, now: number): boolean => row.expiresAt > now;

/** Whether the row may be swept at `now`: the exact complement of {@link isLive}. */
export const isExpired = (row: Pick<PresenceRow, 'expiresAt'>, now: number): boolean => !isLive(row, now);

/** The row a heartbeat writes, given what is stored under its id. */
export const heartbeatRow = (
  stored: PresenceRow | undefined,
  identity: PresenceIdentity,
  state: PresenceState | undefined,
  now: number,
  ttlMs: number,
): PresenceRow => {
  const renewed = stored !== undefined && isLive(stored, now) ? stored.state : {};
  return {
    // From the caller's identity only: a stored row never names the row written.
    id: presenceRowId(identity),
    scope: identity.scope,
    channel: identity.channel,
    actorId: identity.actorId,
    sessionId: identity.sessionId,
    state: state ?? renewed,
    expiresAt: Math.max(stored?.expiresAt ?? -Infinity, now + ttlMs),
    heartbeatAt: now,
  };
};

/**
 * The row a state patch writes; throws `NOT_PRESENT` unless `stored` is live.
 * Its state is a new top level over `stored`'s values: what is nested below
 * it is still `stored`'s, so a caller whose `stored` is lent by the store
 * snapshots the state before handing it on (the patch handler does, with its
 * size check). The identity is `identity`'s (the caller's, whose id was
 * looked up), `stored`'s by default: the same four parts, since the ids match.
 */
export const patchedRow = (stored: LentRow | undefined, patch: PresenceState, now: number, identity: PresenceIdentity = stored!): PresenceRow => {
  if (stored === undefined || !isLive(stored, now)) {
    throw new PresenceError(
      'NOT_PRESENT',
      'No live presence row for this actor and session in this channel: send a heartbeat before a cursor or typing patch.',
    );
  }
  // Field by field, not a spread: a lent row may be the store's own record, with fields of its own.
  // The caller's identity strings are the ones the store and guard just compared, so none is read cold.
  return {
    id: stored.id,
    scope: identity.scope,
    channel: identity.channel,
    actorId: identity.actorId,
    sessionId: identity.sessionId,
    state: { ...(stored.state as PresenceState), ...patch },
    expiresAt: stored.expiresAt,
    heartbeatAt: stored.heartbeatAt,
  };
};

/** The state patch of a cursor move (`null` clears the cursor). */
export const cursorPatch = (cursor: JsonValue): PresenceState => ({ cursor });

/** The state patch of a typing change; typing lapses by itself after `typingTtlMs`. */
export const typingPatch = (typing: boolean, now: number, typingTtlMs: number): PresenceState => ({
  typing,
  typingExpiresAt: typing ? now + typingTtlMs : null,
});

/** Whether the row's state says its actor is typing at `now`. */
export const isCurrentlyTyping = (row: Pick<PresenceRow, 'state'>, now: number): boolean => {
  const until = row.state['typingExpiresAt'];
  return row.state['typing'] === true && typeof until === 'number' && until > now;
};

/** The rows a leave without a session removes: every one of the caller's. */
export const rowsToLeave = (members: readonly PresenceRow[], actorId: string): PresenceRow[] =>
  members.filter((row) => row.actorId === actorId);

/** Whether a reader in `scope` subscribed to `channel` may see `row` at `now`. */
export const isVisibleTo = (row: PresenceRow, scope: string, channel: string, now: number): boolean =>
  row.scope === scope && row.channel === channel && isLive(row, now);

/** Whether the caller (`actorId` in `scope`) may write `row`. */
export const isWritableBy = (row: Pick<PresenceRow, 'actorId' | 'scope'>, actorId: string, scope: string): boolean =>
  row.actorId === actorId && row.scope === scope;

/**
 * Why a heartbeat writing `row` must be refused, given the row stored under
 * its id and the rows of its channel, judged at `row.heartbeatAt`; `undefined`
 * admits it. One pass over `members`; a store runs this inside its atomic step.
 */
export const refusedAdmission = (
  row: PresenceRow,
  stored: Pick<PresenceRow, 'expiresAt'> | undefined,
  members: Iterable<Pick<PresenceRow, 'id' | 'scope' | 'channel' | 'actorId' | 'expiresAt'>>,
  limits: AdmissionLimits,
): Extract<Admission, { admitted: false }> | undefined => {
  const now = row.heartbeatAt;
  if (stored !== undefined && isLive(stored, now)) return undefined;
  let others = 0;
  let sessions = 0;
  for (const member of members) {
    if (member.id === row.id || !isLive(member, now) || member.scope !== row.scope || member.channel !== row.channel) continue;
    others++;
    if (member.actorId === row.actorId) sessions++;
  }
  if (others >= limits.maxMembers) return { admitted: false, full: 'channel', live: others };
  if (sessions >= limits.maxSessionsPerActor) return { admitted: false, full: 'actor', live: sessions };
  return undefined;
};

/** What a reconciliation sends to a channel's views: deletes of ghosts, updates of stale or missing rows. */
export interface Heal {
  /** Held rows that are no longer live (as held): sent as deletes. */
  removed: PresenceRow[];
  /** Live rows the views lack or hold in another version: sent as updates. */
  refreshed: PresenceRow[];
}

/**
 * The version a removal announces just before its delete, in the same batch.
 * An engine applies a delete by key alone and never shows it to a pack, so
 * without this a node whose bus delivered a leave would still count the row
 * among what its views hold; a rejoin in the same millisecond (an identical
 * version) that the bus then lost would never be healed. No view shows this
 * version at any time (it expired before any safe-integer clock), so every
 * node's `match` rejects it and its view index forgets the row; and it equals
 * no stored version, whose times are safe integers a TTL apart.
 *
 * @param row - the row being removed
 * @returns the row as already expired
 */
export const tombstoneOf = (row: PresenceRow): PresenceRow => ({ ...row, expiresAt: Number.MIN_SAFE_INTEGER });

/** Whether two versions of a row are the same to a view. */
export const sameRow = (left: PresenceRow, right: PresenceRow): boolean =>
  left.expiresAt === right.expiresAt && left.heartbeatAt === right.heartbeatAt && sameJson(left.state, right.state);

/**
 * What reconciling a channel's views with its `live` rows sends: a delete of
 * every row some view may hold (`maybe`) that is not live, an update of every
 * live row not every view holds in that version (`sure`).
 */
export const healOf = (maybe: ReadonlyMap<string, PresenceRow>, sure: ReadonlyMap<string, PresenceRow>, live: readonly PresenceRow[]): Heal => {
  const liveIds = new Set(live.map((row) => row.id));
  return {
    removed: [...maybe.values()].filter((row) => !liveIds.has(row.id)),
    refreshed: live.filter((row) => {
      const held = sure.get(row.id);
      return held === undefined || !sameRow(held, row);
    }),
  };
};
