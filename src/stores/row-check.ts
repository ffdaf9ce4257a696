/**
 * What every bundled store refuses before it writes, with the same code
 * (`INVALID_ARGS`) whichever backend it is: a row that is not an object, an
 * identity part that is not a string, an id other than `presenceRowId(row)`,
 * a time that is not a safe integer (PostgreSQL keeps `bigint`; a `NaN`
 * expiry would never sweep), a sweep limit that is not a whole number, or a state that is not plain JSON within
 * {@link MAX_STATE_DEPTH}. Custom stores may do the same.
 *
 * @module
 */
import { PresenceError } from '../errors.js';
import { isPlainObject, snapshotJson } from '../json.js';
import { MAX_STATE_DEPTH, presenceRowId, sameIdentity, type PresenceIdentity, type PresenceRow, type PresenceState } from '../row.js';

const IDENTITY = ['id', 'scope', 'channel', 'actorId', 'sessionId'] as const;

/**
 * Checks a time argument (`now`, `expiresAt`, `heartbeatAt`).
 *
 * @param backend - e.g. `memory`, named in the message
 * @param field - the argument's name
 * @param value - its value
 * @throws PresenceError `INVALID_ARGS` unless it is a safe integer of epoch milliseconds
 */
export const checkTime = (backend: string, field: string, value: unknown): void => {
  if (!Number.isSafeInteger(value)) {
    throw new PresenceError('INVALID_ARGS', `${backend} store: ${field} must be an integer number of epoch milliseconds, got ${typeof value === 'number' ? String(value) : typeof value}`);
  }
};

/**
 * Checks a sweep's `limit`.
 *
 * @param backend - e.g. `memory`, named in the message
 * @param limit - the argument, `undefined` for no limit
 * @returns the bound: a whole number of rows, or `Infinity`
 * @throws PresenceError `INVALID_ARGS` unless it is a whole number >= 0 or `Infinity`
 */
export const checkSweepLimit = (backend: string, limit: unknown): number => {
  if (limit === undefined || limit === Infinity) return Infinity;
  if (!Number.isSafeInteger(limit) || (limit as number) < 0) {
    throw new PresenceError('INVALID_ARGS', `${backend} store: sweep limit must be a whole number >= 0 or Infinity, got ${typeof limit === 'number' ? String(limit) : typeof limit}`);
  }
  return limit as number;
};

/**
 * Checks a row a store is asked to write.
 *
 * @param backend - e.g. `memory`, named in the message
 * @param row - what the caller passed
 * @param stored - optional: the identity this store already keeps (or has checked) under an id, if
 *   any. Its id was checked when it was written, so an incoming row with the
 *   same id and the same four parts has the right id without encoding it
 *   again (a renewal or patch of a stored row, the hot path).
 * @param measured - optional: receives the UTF-8 bytes of the state's JSON (the copy's walk counts them anyway)
 * @returns the row with its state as a plain copy, safe to keep
 * @throws PresenceError `INVALID_ARGS` for anything listed in the module documentation
 */
export const checkedRow = (
  backend: string,
  row: unknown,
  stored?: (id: string) => PresenceIdentity | undefined,
  measured?: { stateBytes: number },
): PresenceRow => {
  if (typeof row !== 'object' || row === null) throw new PresenceError('INVALID_ARGS', `${backend} store: a row must be an object, got ${row === null ? 'null' : typeof row}`);
  const fields = row as Record<string, unknown>;
  for (const part of IDENTITY) {
    if (typeof fields[part] !== 'string') throw new PresenceError('INVALID_ARGS', `${backend} store: row.${part} must be a string`);
  }
  const checked = fields as unknown as PresenceRow;
  const known = stored?.(checked.id);
  if (!(known !== undefined && sameIdentity(known, checked)) && checked.id !== presenceRowId(checked)) {
    throw new PresenceError('INVALID_ARGS', `${backend} store: row.id must equal presenceRowId(row), the id the store locates rows by`);
  }
  checkTime(backend, 'expiresAt', checked.expiresAt);
  checkTime(backend, 'heartbeatAt', checked.heartbeatAt);
  const state = isPlainObject(checked.state) ? snapshotJson(checked.state, { maxDepth: MAX_STATE_DEPTH, maxBytes: Infinity }) : undefined;
  if (state === undefined || !state.ok) {
    throw new PresenceError('INVALID_ARGS', `${backend} store: row.state must be a plain JSON object nested at most ${MAX_STATE_DEPTH} levels deep`);
  }
  if (measured !== undefined) measured.stateBytes = state.bytes;
  return { ...checked, state: state.value as PresenceState };
};
