/**
 * The presence row and its identity: the one data shape every layer shares.
 *
 * @module
 */

/** A JSON value, as presence state must be. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * The deepest state (the state object is depth 1) every bundled store keeps
 * and `limits.maxStateDepth` may allow: deeper data is refused at the door,
 * so no walk of a stored state can exhaust the stack.
 */
export const MAX_STATE_DEPTH = 256;

/** A {@link JsonValue} that may not be mutated at any depth: what a store lends (see `PresenceStore.lend`). */
export type ReadonlyJsonValue = string | number | boolean | null | readonly ReadonlyJsonValue[] | { readonly [key: string]: ReadonlyJsonValue };

/** Presence state: a JSON object (cursor and typing patches merge into it). */
export type PresenceState = { [key: string]: JsonValue };

/** Who a row belongs to: the four parts its id encodes. */
export interface PresenceIdentity {
  /** Tenant or workspace; `''` when the pack has no `scope`. */
  scope: string;
  /** The channel (room, document, page). */
  channel: string;
  /** The actor (user) from `getActorId(ctx)`. */
  actorId: string;
  /** The client's session (tab, device); `''` when the client sends none. */
  sessionId: string;
}

/** One member of one channel: a live row iff `expiresAt > now`. */
export interface PresenceRow<State extends PresenceState = PresenceState> extends PresenceIdentity {
  /** Injective encoding of scope, channel, actorId and sessionId. */
  id: string;
  /** What the client shares (cursor, typing, name, colour...). */
  state: State;
  /** Milliseconds since the epoch after which the row is not live. */
  expiresAt: number;
  /** Milliseconds since the epoch of the heartbeat that wrote this row. */
  heartbeatAt: number;
}

/** The identity {@link presenceRowId} encoded last, with its id. */
let lastEncoded: (PresenceIdentity & { id: string }) | undefined;

/**
 * The row id: the JSON array of its identity parts. JSON string encoding is
 * injective, so no choice of characters (`:`, quotes, unicode, empty) can make
 * two identities share an id, unlike 0.3's `${channel}:${actorId}`.
 */
export const presenceRowId = (identity: PresenceIdentity): string => {
  // Each part read once. One call's handler, guard and store encode the same
  // identity in turn, so the last encoding of four strings is reused.
  const { scope, channel, actorId, sessionId } = identity;
  const last = lastEncoded;
  if (last !== undefined && last.scope === scope && last.channel === channel && last.actorId === actorId && last.sessionId === sessionId) return last.id;
  const id = JSON.stringify([scope, channel, actorId, sessionId]);
  // Only strings are kept: a part of another type could change without changing identity (===).
  if (typeof scope === 'string' && typeof channel === 'string' && typeof actorId === 'string' && typeof sessionId === 'string') {
    lastEncoded = { scope, channel, actorId, sessionId, id };
  }
  return id;
};

/** Whether two identities have the same four parts, and so the same {@link presenceRowId}. */
export const sameIdentity = (a: PresenceIdentity, b: PresenceIdentity): boolean =>
  a.scope === b.scope && a.channel === b.channel && a.actorId === b.actorId && a.sessionId === b.sessionId;
