/**
 * The default store: in-process and indexed three ways, so no hot path scans.
 *
 * - by id (a `Map`): `get`, `upsert`, `update`, `remove` in O(1);
 * - by scope, then channel (nested `Map`s of `Set`s): `channel()` in O(members);
 * - by expiry (buckets of filed expiries, see `expiry-buckets.ts`): a
 *   renewal only writes its row's `expiresAt` (the row stays filed where it
 *   was), and `sweep` removes k rows in O(k) plus O(log b) per distinct
 *   expiry it passes, re-filing on the way each renewed row it reaches early
 *   (at most once per filing: amortised O(1) per renewal).
 *
 * Rows are checked and copied on the way in (`row-check.ts`: the same checks
 * and codes as the other bundled stores) and copied on the way out, so no
 * caller can change stored data by mutating an object it passed or received.
 *
 * @module
 */
import { PresenceError } from '../errors.js';
import { cloneJson, setKey } from '../json.js';
import type { JsonValue, PresenceRow, PresenceState } from '../row.js';
import { isLive, refusedAdmission } from '../machine.js';
import type { PresenceStore } from '../store.js';
import { ExpiryBuckets, type ExpiryEntry } from './expiry-buckets.js';
import { checkSweepLimit, checkTime, checkedRow } from './row-check.js';

/**
 * A stored row linked into its expiry bucket: one object per row, never
 * handed out (callers get copies). Fields are `declare`d and set once in the
 * constructor: a declared field would first be defined as `undefined`, and
 * V8 would then box every new `expiresAt` and `heartbeatAt` in a fresh heap
 * number instead of overwriting a double in place.
 */
class Entry implements PresenceRow, ExpiryEntry<Entry> {
  declare readonly id: string;
  declare readonly scope: string;
  declare readonly channel: string;
  declare readonly actorId: string;
  declare readonly sessionId: string;
  declare state: PresenceState;
  /** UTF-8 bytes of the state's JSON: what a patch's size check counts from (see `LentRow.stateBytes`). */
  declare stateBytes: number;
  declare expiresAt: number;
  declare heartbeatAt: number;
  declare filedAt: number;
  declare prev: Entry | null;
  declare next: Entry | null;

  constructor(row: PresenceRow, stateBytes: number) {
    this.id = row.id;
    this.scope = row.scope;
    this.channel = row.channel;
    this.actorId = row.actorId;
    this.sessionId = row.sessionId;
    // Already a fresh copy: `checkedRow` snapshots the state.
    this.state = row.state;
    this.stateBytes = stateBytes;
    this.expiresAt = row.expiresAt;
    this.heartbeatAt = row.heartbeatAt;
    this.filedAt = row.expiresAt;
    this.prev = null;
    this.next = null;
  }
}

/**
 * A plain row (no links): `row`'s identity, `state`, and the times of
 * `times`; the one field list of hand-outs.
 */
const rowOf = (row: PresenceRow, state: PresenceState, times: Pick<PresenceRow, 'expiresAt' | 'heartbeatAt'> = row): PresenceRow => ({
  id: row.id,
  scope: row.scope,
  channel: row.channel,
  actorId: row.actorId,
  sessionId: row.sessionId,
  state,
  expiresAt: times.expiresAt,
  heartbeatAt: times.heartbeatAt,
});

/** An object or array of checked JSON. */
type JsonContainer = PresenceState | JsonValue[];

const isContainer = (value: JsonValue | undefined): value is JsonContainer => typeof value === 'object' && value !== null;

/** A deep copy as a plain row (no links). */
const copyRow = (row: PresenceRow): PresenceRow => rowOf(row, cloneJson(row.state));

/** A plain row sharing the entry's state: only for entries already dropped, whose state nobody else holds. */
const releasedRow = (entry: Entry): PresenceRow => rowOf(entry, entry.state);

/** A copy of JSON that is an object or array, the value itself otherwise (a primitive is never shared state). */
const own = (value: JsonValue): JsonValue => (isContainer(value) ? cloneJson(value) : value);

/**
 * Makes the stored state equal the incoming one in place, level by level:
 * where an object's keys are a prefix of the incoming keys, in the same order
 * (a patch adds its keys at the end), only the values that differ are written
 * and the new keys appended; a level whose keys differ otherwise is replaced
 * by the incoming one. Answers `false` when the top level itself differs (the
 * caller replaces the whole state). A patch that moves a cursor then writes
 * two numbers into objects the store already holds, so nothing it allocates
 * outlives it. `stored` is the store's own copy (never handed out); what it
 * takes from `incoming` is copied, so `incoming` shares nothing with it and
 * can be handed out as the write's answer.
 */
const absorb = (stored: JsonContainer, incoming: JsonContainer): boolean => {
  const keys = Object.keys(stored);
  const incomingKeys = Object.keys(incoming);
  if (keys.length > incomingKeys.length) return false;
  for (let index = 0; index < keys.length; index++) {
    if (keys[index] !== incomingKeys[index]) return false;
  }
  const target = stored as Record<string, JsonValue>;
  const source = incoming as Record<string, JsonValue>;
  for (let index = 0; index < incomingKeys.length; index++) {
    const key = incomingKeys[index]!;
    const next = source[key]!;
    // A new key: `setKey` keeps a "__proto__" key an own property (an own one is simply assigned below).
    if (index >= keys.length) setKey(target, key, own(next));
    else {
      const value = target[key];
      if (isContainer(value) && isContainer(next) && Array.isArray(value) === Array.isArray(next)) {
        if (!absorb(value, next)) target[key] = own(next);
      } else if (!Object.is(value, next)) target[key] = own(next);
    }
  }
  return true;
};

/** Creates an empty in-memory store; each call returns an independent one. */
export const createMemoryPresenceStore = (): PresenceStore => {
  const byId = new Map<string, Entry>();
  const byScope = new Map<string, Map<string, Set<Entry>>>();
  const byExpiry = new ExpiryBuckets<Entry>();

  const members = (scope: string, channel: string): Set<Entry> | undefined => byScope.get(scope)?.get(channel);
  // The size of the state the last `checked` copied: every write is synchronous, so one slot serves them all.
  const measured = { stateBytes: 0 };
  const checked = (input: PresenceRow): PresenceRow => checkedRow('memory', input, undefined, measured);

  const index = (entry: Entry): void => {
    let channels = byScope.get(entry.scope);
    if (channels === undefined) byScope.set(entry.scope, (channels = new Map()));
    let set = channels.get(entry.channel);
    if (set === undefined) channels.set(entry.channel, (set = new Set()));
    set.add(entry);
  };

  const unindex = (entry: Entry): void => {
    // An indexed entry always has its scope map and channel set.
    const channels = byScope.get(entry.scope)!;
    const set = channels.get(entry.channel)!;
    set.delete(entry);
    if (set.size > 0) return;
    channels.delete(entry.channel);
    if (channels.size === 0) byScope.delete(entry.scope);
  };

  const drop = (entry: Entry): void => {
    byId.delete(entry.id);
    unindex(entry);
    byExpiry.remove(entry);
  };

  /**
   * Last writer wins by heartbeatAt; expiresAt only grows. The id fixes the
   * other identity fields, so only state and times can change. The entry and
   * its state are updated in place (see `absorb`): a renewal or a patch then
   * stores no new object, so nothing it allocates outlives it (no promotion,
   * no old-to-new pointers).
   *
   * Answers the write's answer: `incoming` (from `checkedRow`, the same id as
   * `entry`) with the stored state and times. Its identity strings are the
   * caller's, equal to the stored ones (same id), so nobody reads the cold
   * stored strings. Its state is `incoming`'s own snapshot when that won (it
   * then equals the stored state and shares nothing with it, see `absorb`),
   * a copy of the stored state otherwise.
   */
  const merge = (entry: Entry, incoming: PresenceRow): PresenceRow => {
    byExpiry.extend(entry, incoming.expiresAt);
    if (incoming.heartbeatAt < entry.heartbeatAt) return rowOf(incoming, cloneJson(entry.state), entry);
    entry.heartbeatAt = incoming.heartbeatAt;
    if (!absorb(entry.state, incoming.state)) entry.state = cloneJson(incoming.state);
    // The stored state now equals the incoming one, which `checked` just measured.
    entry.stateBytes = measured.stateBytes;
    return rowOf(incoming, incoming.state, entry);
  };

  /** Upserts a row `checkedRow` returned, given what is stored under its id. */
  const upsertChecked = (row: PresenceRow, stored: Entry | undefined): PresenceRow => {
    if (stored !== undefined) return merge(stored, row);
    // The entry keeps the snapshot; the answer is a copy.
    const entry = new Entry(row, measured.stateBytes);
    byId.set(row.id, entry);
    index(entry);
    byExpiry.add(entry);
    return copyRow(entry);
  };

  return {
    get(id) {
      const entry = byId.get(id);
      return entry && copyRow(entry);
    },
    // The entry itself: it changes only when a write to its id updates it in
    // place, and the caller promises not to touch it (see `PresenceStore.lend`).
    lend: (id) => byId.get(id),
    admit(input, limits) {
      // No stored lookup for the id check: the pack's rows hit presenceRowId's
      // last encoding, and comparing with the stored parts would read four cold strings.
      const row = checked(input);
      const stored = byId.get(row.id);
      // A live member is never refused, so its channel is not even looked up.
      const others = stored !== undefined && isLive(stored, row.heartbeatAt) ? [] : (members(row.scope, row.channel) ?? []);
      // Synchronous from check to insert: nothing can join in between.
      return refusedAdmission(row, stored, others, limits) ?? { admitted: true, row: upsertChecked(row, stored) };
    },
    upsert(input) {
      const row = checked(input);
      return upsertChecked(row, byId.get(row.id));
    },
    update(input) {
      const row = checked(input);
      const stored = byId.get(row.id);
      if (stored === undefined) return undefined;
      return merge(stored, row);
    },
    remove(id) {
      const entry = byId.get(id);
      if (entry === undefined) return undefined;
      drop(entry);
      return releasedRow(entry);
    },
    channel(scope, channel, now) {
      checkTime('memory', 'now', now);
      const live: PresenceRow[] = [];
      const set = members(scope, channel);
      if (set === undefined) return live;
      for (const entry of set) {
        if (entry.expiresAt > now) live.push(copyRow(entry));
      }
      return live;
    },
    sweep(now, requested) {
      checkTime('memory', 'now', now);
      const limit = checkSweepLimit('memory', requested);
      const removed: PresenceRow[] = [];
      while (removed.length < limit) {
        const next = byExpiry.expired(now);
        if (next === undefined) break;
        drop(next);
        removed.push(releasedRow(next));
      }
      return removed;
    },
    rows() {
      return Array.from(byId.values(), copyRow);
    },
  };
};

/**
 * The 0.3 name of {@link createMemoryPresenceStore}, kept so 0.3 code still
 * compiles.
 *
 * @deprecated Since 1.0: call {@link createMemoryPresenceStore} instead (same
 * function, same options).
 */
export const createInMemoryPresenceStore = createMemoryPresenceStore;
