/**
 * The pack's side of the store boundary: every call the pack makes is bounded
 * by `storeTimeoutMs` (`STORE_TIMEOUT`), every failure that is not already a
 * `PresenceError` becomes `STORE_UNAVAILABLE` with the original as `cause`,
 * and every answer is checked before the pack uses it. A store is code the
 * pack does not own: a `null` row, string times or another id's row are the
 * store's fault, reported as such, never a `TypeError` in a handler; a row of
 * another channel, another scope or an expired one in `channel()` is dropped,
 * so no subscriber ever sees it.
 *
 * A synchronous answer stays synchronous and arms no timer: the memory store
 * pays only for the checks.
 *
 * @module
 */
import type { Awaitable } from './contract.js';
import { PresenceError } from './errors.js';
import { isPlainObject } from './json.js';
import { presenceRowId, sameIdentity, type PresenceIdentity, type PresenceRow } from './row.js';
import type { Admission, LentRow, PresenceStore } from './store.js';
import { toUnavailable, withDeadline } from './stores/unavailable.js';

const isTime = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value);

/** Whether `value` has the shape of a row: string identity, finite times, an object state. */
export const isRowShaped = (value: unknown): value is PresenceRow => {
  if (typeof value !== 'object' || value === null) return false;
  const row = value as Record<string, unknown>;
  return (
    typeof row['id'] === 'string' &&
    typeof row['scope'] === 'string' &&
    typeof row['channel'] === 'string' &&
    typeof row['actorId'] === 'string' &&
    typeof row['sessionId'] === 'string' &&
    isPlainObject(row['state']) &&
    isTime(row['expiresAt']) &&
    isTime(row['heartbeatAt'])
  );
};

const broken = (operation: string, what: string): PresenceError =>
  new PresenceError('STORE_UNAVAILABLE', `store: ${operation} returned ${what}; the store breaks the PresenceStore contract (certify it with the spec kit).`);

/**
 * The last identity whose id was checked: a patch reads its row twice and
 * writes it once, each answer carrying the same five strings, so only the
 * first is encoded. `presenceRowId` is a function of the four parts, so
 * equal parts and id are as good as a fresh check.
 */
interface CheckedIdentity extends PresenceIdentity {
  id: string;
}

/** The row a store answered for `id`: a row of exactly that id, or (when allowed) none. */
const rowFor = (last: { checked: CheckedIdentity | undefined }, operation: string, id: string, optional: boolean) => (value: unknown): PresenceRow | undefined => {
  if (value === undefined && optional) return undefined;
  if (!isRowShaped(value)) throw broken(operation, 'something that is not a presence row');
  if (value.id !== id) throw broken(operation, `a row of another identity for id ${JSON.stringify(id)}`);
  if (last.checked !== undefined && last.checked.id === id && sameIdentity(last.checked, value)) return value;
  // The id encodes the identity: a row whose fields name someone else is another actor's row.
  if (presenceRowId(value) !== id) throw broken(operation, `a row of another identity for id ${JSON.stringify(id)}`);
  last.checked = { id, scope: value.scope, channel: value.channel, actorId: value.actorId, sessionId: value.sessionId };
  return value;
};

/**
 * A lent row: checked for what the pack reads of it, its id, state,
 * times and state size when given. The pack writes the caller's identity, never a lent one, so a lent
 * row's identity strings (the store's own, cold in memory) are not read.
 */
const lentFor = (id: string) => (value: unknown): LentRow | undefined => {
  if (value === undefined) return undefined;
  const row = value as Partial<Record<keyof LentRow, unknown>> | null;
  if (typeof row !== 'object' || row === null || !isPlainObject(row.state) || !isTime(row.expiresAt) || !isTime(row.heartbeatAt)) {
    throw broken('lend', 'something that is not a presence row');
  }
  if (row.id !== id) throw broken('lend', `a row of another id for id ${JSON.stringify(id)}`);
  // A size, when given, is counted on: it must at least be a possible one (its value is STORE-LOAN-BYTES's).
  if (row.stateBytes !== undefined && !(Number.isSafeInteger(row.stateBytes) && (row.stateBytes as number) >= 2)) {
    throw broken('lend', 'a stateBytes that is not the byte size of a JSON object');
  }
  return value as LentRow;
};

/** A list answer: an array, with every row that is not row-shaped (or fails `keep`) left out. */
const rowsWhere = (operation: string, keep: (row: PresenceRow) => boolean) => (value: unknown): PresenceRow[] => {
  if (!Array.isArray(value)) throw broken(operation, 'something that is not an array of rows');
  return value.filter((row): row is PresenceRow => isRowShaped(row) && keep(row));
};

/**
 * Wraps `store` with the deadline, the error wrapping and the answer checks
 * above. Each method returns what the store returned, checked.
 *
 * @param store - the configured store (0.3 stores already adapted)
 * @param timeoutMs - the deadline of one call, in milliseconds
 * @returns the guarded store
 */
export const guardStore = (store: PresenceStore, timeoutMs: number): PresenceStore => {
  const last: { checked: CheckedIdentity | undefined } = { checked: undefined };
  const rowOf = (operation: string, id: string, optional: boolean) => rowFor(last, operation, id, optional);
  const call = <T>(operation: string, run: () => Awaitable<unknown>, check: (value: unknown) => T): Awaitable<T> => {
    let answer: Awaitable<unknown>;
    try {
      answer = run();
    } catch (error) {
      throw toUnavailable('configured', operation, error);
    }
    const thenable = typeof answer === 'object' && answer !== null && typeof (answer as PromiseLike<unknown>).then === 'function';
    if (!thenable) return check(answer);
    return withDeadline('configured', operation, timeoutMs, answer as PromiseLike<unknown>).then(check);
  };
  const admission = (id: string) => (value: unknown): Admission => {
    const reply = value as Partial<Admission> | null | undefined;
    if (reply?.admitted === false) {
      if ((reply.full === 'channel' || reply.full === 'actor') && isTime(reply.live)) return reply as Admission;
      throw broken('admit', 'a refusal without a valid limit and count');
    }
    if (reply?.admitted !== true) throw broken('admit', 'neither an admission nor a refusal');
    return { admitted: true, row: rowOf('admit', id, false)(reply.row)! };
  };
  const guarded: PresenceStore = {
    get: (id) => call('get', () => store.get(id), rowOf('get', id, true)),
    upsert: (row) => call('upsert', () => store.upsert(row), (value) => rowOf('upsert', row.id, false)(value)!),
    admit: (row, limits) => call('admit', () => store.admit(row, limits), admission(row.id)),
    update: (row) => call('update', () => store.update(row), rowOf('update', row.id, true)),
    remove: (id) => call('remove', () => store.remove(id), rowOf('remove', id, true)),
    channel: (scope, channel, now) =>
      call('channel', () => store.channel(scope, channel, now), rowsWhere('channel', (row) => row.scope === scope && row.channel === channel && row.expiresAt > now)),
    sweep: (now, limit) => call('sweep', () => store.sweep(now, limit), rowsWhere('sweep', () => true)),
    rows: () => call('rows', () => store.rows(), rowsWhere('rows', () => true)),
  };
  // Only a store that lends is lent from: the pack reads through `get` otherwise.
  if (typeof store.lend === 'function') {
    const lend = store.lend.bind(store);
    guarded.lend = (id) => call('lend', () => lend(id), lentFor(id));
  }
  return guarded;
};
