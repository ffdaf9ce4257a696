/**
 * The table surfaces: schema, permissions, reader and writer, all over the
 * configured store.
 *
 * @module
 */
import type { CollectionContext, TablePermissions, TableReader, TableSchema, TableWriter } from '../contract.js';
import { actorOf, scopeOf } from '../caller.js';
import { PresenceError } from '../errors.js';
import { isPlainObject } from '../json.js';
import { isWritableBy } from '../machine.js';
import type { PresenceRow } from '../row.js';
import type { PresenceSettings } from '../settings.js';
import type { Admission, PresenceStore } from '../store.js';

const isString = (value: unknown): boolean => typeof value === 'string';
const isTime = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value);

/** Field validators of the presence row. */
export const presenceSchema = (): TableSchema<PresenceRow> => ({
  fields: {
    id: isString,
    scope: isString,
    channel: isString,
    actorId: isString,
    sessionId: isString,
    state: isPlainObject,
    expiresAt: isTime,
    heartbeatAt: isTime,
  },
});

/**
 * Read within the caller's scope; write only the caller's own rows. A throw
 * (malformed ctx or row) means "no", as with `holds`, but caught inline: these
 * run once per written row and once per hydrated row, so no closure per call.
 */
export const presencePermissions = <Ctx>(settings: PresenceSettings<Ctx>): TablePermissions<PresenceRow, Ctx> => ({
  read: (ctx, row) => {
    try {
      return row.scope === scopeOf(settings, ctx);
    } catch {
      return false;
    }
  },
  write: (ctx, row) => {
    try {
      return isWritableBy(row, actorOf(settings, ctx), scopeOf(settings, ctx));
    } catch {
      return false;
    }
  },
});

/** The key of a row or of a partial row carrying its id. */
const keyOf = (row: Pick<PresenceRow, 'id'>): string => row.id;

/**
 * Reads through the store; `get` lets the engine check write rules against
 * the stored row. Row ids are strings, so a numeric or bigint key the engine
 * passes is looked up by its decimal text.
 */
export const presenceReader = (store: PresenceStore): TableReader<PresenceRow, unknown> => ({
  all: () => store.rows(),
  get: (key) => store.get(String(key)),
  key: keyOf,
});

/**
 * Writes through the store. `insert` is a heartbeat's `admit` (it must land
 * even if a sweep removed the row a moment ago, and a new member is counted
 * against the limits in the same atomic step); `update` is a patch and never
 * inserts: a row gone since the handler read it is `NOT_PRESENT`.
 */
export const presenceWriter = <Ctx>(settings: PresenceSettings<Ctx>): TableWriter<PresenceRow, CollectionContext, unknown> => {
  const { store } = settings;
  const limits = { maxMembers: settings.maxMembersPerChannel, maxSessionsPerActor: settings.maxSessionsPerActor };
  const admitted = (row: PresenceRow, admission: Admission): PresenceRow => {
    if (admission.admitted) return admission.row;
    throw new PresenceError(
      'CHANNEL_FULL',
      admission.full === 'channel'
        ? `channel ${JSON.stringify(row.channel)} already has ${admission.live} members, the limit (limits.maxMembersPerChannel).`
        : `this actor already has ${admission.live} live sessions in channel ${JSON.stringify(row.channel)}, the limit (limits.maxSessionsPerActor): leave one first.`,
    );
  };
  const updated = (stored: PresenceRow | undefined): PresenceRow => {
    if (stored === undefined) {
      throw new PresenceError('NOT_PRESENT', 'The presence row was removed before the patch landed: send a heartbeat first.');
    }
    return stored;
  };
  // A synchronous store's answer is settled synchronously (a writer may answer either way): no promise per write.
  return {
    insert(row) {
      const admission = store.admit(row, limits);
      return admission instanceof Promise ? admission.then((answer) => admitted(row, answer)) : admitted(row, admission as Admission);
    },
    update(row) {
      const stored = store.update(row);
      return stored instanceof Promise ? stored.then(updated) : updated(stored as PresenceRow | undefined);
    },
    delete: (row) => store.remove(keyOf(row)),
  };
};
