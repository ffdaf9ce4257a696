/**
 * The members view: what a page renders, computed from the collection's rows.
 *
 * - Only live rows count, judged by the SERVER's clock: a member whose removal
 *   never arrived (a lost diff, a partition) still disappears when its lease
 *   ends.
 * - Each member says whether it is this tab (`isSelf`) and whether it is
 *   typing now (`isCurrentlyTyping`, also by the server's clock).
 * - Members are ordered by row id, which sorts by actor, then session: the
 *   same order on every page, stable as members come and go.
 * - A member object is reused while nothing it shows changed, and the list is
 *   reused while no member changed, so `useSyncExternalStore` and memoised
 *   components re-render only for visible changes (a bare heartbeat moving
 *   `expiresAt` is not one).
 *
 * @module
 */
import { isCurrentlyTyping, isLive } from '../machine.js';
import type { PresenceRow, PresenceState } from '../row.js';

/** One member of the channel, as a page shows it. */
export interface PresenceMember<State extends PresenceState = PresenceState> {
  /** The row id (stable per actor and session). */
  readonly id: string;
  /** The member's actor (user). */
  readonly actorId: string;
  /** The member's session (tab). */
  readonly sessionId: string;
  /** Its shared state (name, colour, `cursor`, `typing`...). */
  readonly state: State;
  /** Whether this member is the tab that owns the client. */
  readonly isSelf: boolean;
  /** Whether it is typing now (its typing flag set and not lapsed). */
  readonly isTyping: boolean;
}

/** The members at one instant, and when that answer next changes by itself. */
export interface MembersAt<State extends PresenceState = PresenceState> {
  /** Live members in stable order; `previous` itself when nothing visible changed. */
  members: readonly PresenceMember<State>[];
  /** The earliest server time at which a member expires or stops typing (`Infinity` if none). */
  nextChangeAt: number;
}

/** Whether a row from the network has the fields the view reads. */
export const isPresenceRow = (value: unknown): value is PresenceRow => {
  if (typeof value !== 'object' || value === null) return false;
  const row = value as Record<string, unknown>;
  return (
    typeof row['id'] === 'string' &&
    typeof row['actorId'] === 'string' &&
    typeof row['sessionId'] === 'string' &&
    typeof row['expiresAt'] === 'number' &&
    typeof row['state'] === 'object' &&
    row['state'] !== null &&
    !Array.isArray(row['state'])
  );
};

/** Structural equality of JSON values (state is JSON by the pack's rules). */
export const jsonEqual = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every(
    (key) => Object.hasOwn(b, key) && jsonEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
  );
};

const sameMember = (a: PresenceMember, b: PresenceMember): boolean =>
  a.id === b.id &&
  a.actorId === b.actorId &&
  a.sessionId === b.sessionId &&
  a.isSelf === b.isSelf &&
  a.isTyping === b.isTyping &&
  jsonEqual(a.state, b.state);

const byId = (a: PresenceRow, b: PresenceRow): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The live members of `rows` at server time `serverNow`.
 *
 * @param rows - the collection's rows (malformed ones are skipped)
 * @param serverNow - the server's clock now
 * @param selfSessionId - this tab's session id
 * @param previous - the last answer, whose objects are reused when unchanged
 */
export const membersAt = <State extends PresenceState = PresenceState>(
  rows: readonly unknown[],
  serverNow: number,
  selfSessionId: string,
  previous: readonly PresenceMember<State>[],
): MembersAt<State> => {
  const live = rows.filter((row): row is PresenceRow => isPresenceRow(row) && isLive(row, serverNow)).sort(byId);
  const before = new Map(previous.map((member) => [member.id, member]));
  let nextChangeAt = Infinity;
  let changed = live.length !== previous.length;
  const members = live.map((row, index) => {
    const isTyping = isCurrentlyTyping(row, serverNow);
    nextChangeAt = Math.min(nextChangeAt, row.expiresAt, isTyping ? (row.state['typingExpiresAt'] as number) : Infinity);
    const member: PresenceMember<State> = {
      id: row.id,
      actorId: row.actorId,
      sessionId: row.sessionId,
      state: row.state as State,
      isSelf: row.sessionId === selfSessionId,
      isTyping,
    };
    const old = before.get(row.id);
    const kept = old !== undefined && sameMember(old, member) ? old : member;
    if (kept !== previous[index]) changed = true;
    return kept;
  });
  return { members: changed ? members : previous, nextChangeAt };
};
