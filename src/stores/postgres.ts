/**
 * A {@link PresenceStore} on PostgreSQL through a `pg` `Pool` (or anything
 * with the same `query`). `pg` is an optional peer: this module only needs
 * `query({ name, text, values })`.
 *
 * ## Table
 *
 * `createPostgresPresenceTable(pool, { table })` creates (idempotently):
 *
 * | column | type | |
 * | --- | --- | --- |
 * | `id` | `text` | primary key |
 * | `scope`, `channel`, `actor_id`, `session_id` | `text` | identity |
 * | `state` | `json` | kept byte for byte |
 * | `expires_at`, `heartbeat_at` | `bigint` | epoch milliseconds |
 *
 * plus `expires_bucket`, generated as `expires_at / 300000` (five-minute
 * buckets), with indexes on `(scope, channel, expires_bucket)` for
 * `channel()` and on `(expires_bucket)` for `sweep()`, and a fill factor of
 * 70: a heartbeat that keeps its bucket changes no indexed column and finds
 * room on its page, so it can be a HOT update (no index writes); reads
 * re-check the exact `expires_at`. `unlogged: true` makes it an `UNLOGGED`
 * table (no WAL: faster, emptied by a crash, not replicated). Run on a table
 * of an earlier layout, it adds or rebuilds the bucket column and indexes,
 * drops the `expires_at` ones and sets the fill factor unless one is set, in
 * one transaction (see `createTableSql` in `postgres/sql.ts`).
 *
 * Why `json` and not `jsonb`: `jsonb` rejects `\u0000` inside strings and
 * reorders and deduplicates keys; state is never queried into, so storing the
 * exact text costs nothing and round-trips exactly (key order included).
 * Text columns cannot hold NUL or a lone UTF-16 surrogate: such a string is
 * stored as U+0001 followed by its JSON literal (as is any string starting
 * with U+0001, so the mapping stays injective); every other string is stored
 * as is and stays readable in SQL. Times must be safe integers.
 *
 * ## Operations (each one statement, so each is atomic per row)
 *
 * - `upsert`: `INSERT ... ON CONFLICT (id) DO UPDATE` whose `SET` keeps the
 *   stored fields with `CASE` when the incoming heartbeat is older, and takes
 *   `GREATEST` of `expires_at` either way; `RETURNING` gives the stored row.
 *   Concurrent upserts share one such statement over `unnest` of eight
 *   arrays, applied in id order (see `postgres/batch.ts` for who waits and
 *   what a failing row does); a lone upsert goes out at once, alone.
 *   `admit` without limits is this upsert.
 * - `admit`: the table's `<name>_admit` function (created with the table):
 *   an advisory lock per channel, then the count of live members and the
 *   upsert, so concurrent joins on any number of nodes never overshoot a
 *   limit. Tables made by an older version get it when
 *   `createPostgresPresenceTable` runs again. Concurrent admits share one
 *   statement that renews the members stored and live at their heartbeat
 *   (never refused, so not counted), rows locked in id order: the rows the
 *   store last saw stored and live (`postgres/live-ids.ts`). The rest of a
 *   batch (joins) share one call of `<name>_admit_many`, which locks all
 *   their channels in key order, then admits each row in id order. A row
 *   the renewal missed goes through `<name>_admit` alone, and a lone admit
 *   goes there at once.
 * - `update`: the same `SET` as an `UPDATE ... WHERE id = $1`: no row, no insert.
 * - `sweep(now, limit)`: `DELETE ... WHERE id IN (SELECT ... WHERE
 *   expires_bucket <= now's bucket AND expires_at <= now ORDER BY expires_at
 *   LIMIT n FOR UPDATE SKIP LOCKED) AND expires_at <= now RETURNING`:
 *   concurrent sweepers lock disjoint rows, a row being renewed is skipped,
 *   and expiry is re-checked on the latest row version.
 * - `channel`: an index range on `(scope, channel, expires_bucket)` from
 *   `now`'s bucket, re-checking `expires_at > now`.
 * - `rows()`: a full scan.
 *
 * Statements are named, so each connection prepares them once.
 *
 * @module @absolutejs/sync-pack-presence/stores/postgres
 */
import { PresenceConfigError, PresenceError } from '../errors.js';
import type { PresenceRow } from '../row.js';
import type { Admission, AdmissionLimits, PresenceStore } from '../store.js';
import { createBatcher, type BatchLimits } from './postgres/batch.js';
import { createLiveIds } from './postgres/live-ids.js';
import { columnArrays, createTableSql, decodeRow, decodeText, encodeText, quoteTable, rowParams, statements, timeParam, type Statement } from './postgres/sql.js';
import { checkedRow, checkSweepLimit } from './row-check.js';
import { guarded, resolveTimeoutMs } from './unavailable.js';

/**
 * The one method the store calls; a `pg` `Pool` (recommended) or `Client` fits.
 * Give the pool `connectionTimeoutMillis` and `query_timeout` so a dead server
 * frees its connections; the store also bounds every call by `timeoutMs`.
 */
export interface PostgresQueryable {
  /** Runs one statement; named statements are prepared once per connection. */
  query(config: PostgresQueryConfig): Promise<PostgresQueryResult>;
}

/** One statement as the store sends it (`pg`'s `QueryConfig` shape). */
export interface PostgresQueryConfig {
  /** Prepared statement name; absent for the DDL batch. */
  name?: string;
  /** SQL text. */
  text: string;
  /** Parameters as text (`null` for SQL NULL); absent for the DDL batch. */
  values?: (string | null)[];
}

/** What the store reads from a result (`pg`'s `QueryResult` has it). */
export interface PostgresQueryResult {
  /** The result rows, one object per row keyed by column name. */
  rows: unknown[];
}

/** A pool that reports broken idle connections through an `error` event, like `pg.Pool`. */
interface ErrorEmitter {
  on(event: 'error', listener: (error: Error) => void): unknown;
  listenerCount(event: 'error'): number;
}

/** What `createPostgresPresenceStore` accepts. */
export interface PostgresPresenceStoreOptions {
  /** A `pg` `Pool` (or compatible). */
  pool: PostgresQueryable;
  /** Table name, `name` or `schema.name` (plain identifiers). Default `presence`. */
  table?: string;
  /** Bound on one store call in milliseconds; past it the call rejects with `STORE_UNAVAILABLE`. Default 5 000. */
  timeoutMs?: number;
}

/** What `createPostgresPresenceTable` accepts. */
export interface PostgresPresenceTableOptions {
  /** Table name, as given to the store. Default `presence`. */
  table?: string;
  /**
   * Create an `UNLOGGED` table: writes skip the WAL (several times faster
   * heartbeats), but a server crash empties the table and it is not
   * replicated. Presence is ephemeral, so this is often the right trade:
   * clients repopulate it within one TTL. Default `false`. Only applies when
   * the table is created.
   */
  unlogged?: boolean;
}

/**
 * Upserts per statement and statements in flight: 4 statements of up to 64
 * rows keep both cores busy on a small server without starving the pool.
 */
const BATCH_LIMITS: BatchLimits = { maxRows: 64, maxStatements: 4 };
/** Ids whose last stored expiry the store remembers (see `postgres/live-ids.ts`). */
const LIVE_IDS = 10_000;

/** An admit as the coalescer holds it. */
interface AdmitInput {
  row: PresenceRow;
  limits: AdmissionLimits;
}

/** A reply row of an admit function. */
interface AdmitReply {
  refused: string | null;
  live: string;
  id: string;
}

/** A limit as a bigint parameter: an unlimited one as the largest bigint. */
const admitLimit = (limit: number): string => (limit === Infinity ? '9223372036854775807' : String(limit));

const checkPool = (pool: unknown, where: string): PostgresQueryable => {
  if (typeof (pool as Partial<PostgresQueryable> | undefined)?.query !== 'function') {
    throw new PresenceConfigError('INVALID_STORE', `${where}: pool must be a pg Pool or Client (an object with query)`);
  }
  return pool as PostgresQueryable;
};

/**
 * Keeps an idle connection's failure from crashing the process: `pg.Pool`
 * emits `error` for it, and an `error` event nobody listens to throws. The
 * next query reports the outage as `STORE_UNAVAILABLE` instead.
 */
const absorbIdleErrors = (pool: PostgresQueryable): void => {
  const emitter = pool as unknown as Partial<ErrorEmitter>;
  if (typeof emitter.on !== 'function' || typeof emitter.listenerCount !== 'function') return;
  if (emitter.listenerCount('error') === 0) emitter.on('error', () => undefined);
};

/**
 * Creates the presence table and its indexes if they do not exist. Safe to
 * call from several processes at once.
 *
 * @param pool - a `pg` `Pool` or compatible
 * @param options - the table name
 * @throws PresenceConfigError `INVALID_OPTION` for a bad table name
 * @throws PresenceError `STORE_UNAVAILABLE` when the statement fails
 */
export const createPostgresPresenceTable = async (pool: PostgresQueryable, options: PostgresPresenceTableOptions = {}): Promise<void> => {
  const queryable = checkPool(pool, 'createPostgresPresenceTable');
  const { quoted, bare } = quoteTable(options.table ?? 'presence');
  // No values and no name: the simple protocol, which runs the batch as one transaction.
  await guarded('postgres', 'createPostgresPresenceTable', 30_000, () => queryable.query({ text: createTableSql(quoted, bare, options.unlogged === true) }));
};

/**
 * Creates a presence store on a PostgreSQL table made by
 * {@link createPostgresPresenceTable}. See the module documentation for the
 * table and what each operation does.
 *
 * @param options - the pool, table name and timeout
 * @returns the store
 * @throws PresenceConfigError `INVALID_STORE` without a usable pool, `INVALID_OPTION` for a bad table name or timeout
 */
export const createPostgresPresenceStore = (options: PostgresPresenceStoreOptions): PresenceStore => {
  const pool = checkPool(options?.pool, 'createPostgresPresenceStore');
  const sql = statements(quoteTable(options.table ?? 'presence').quoted);
  const timeoutMs = resolveTimeoutMs(options.timeoutMs);
  absorbIdleErrors(pool);

  const query = (operation: string, statement: Statement, values: () => (string | null)[]): Promise<PresenceRow[]> =>
    guarded('postgres', operation, timeoutMs, async () => {
      const result = await pool.query({ name: statement.name, text: statement.text, values: values() });
      return result.rows.map(decodeRow);
    });

  const first = (rows: PresenceRow[]): PresenceRow | undefined => rows[0];

  const noRow = (): PresenceError => new PresenceError('STORE_UNAVAILABLE', 'postgres store: upsert returned no row');

  /** Concurrent upserts share statements; a lone one goes out at once. */
  const upsertBatched = createBatcher<PresenceRow, PresenceRow>(
    {
      one: async (row) => {
        const [columns] = (await pool.query({ name: sql.upsert.name, text: sql.upsert.text, values: rowParams(row) })).rows;
        if (columns === undefined) throw noRow();
        return decodeRow(columns);
      },
      many: async (rows) => {
        const result = await pool.query({ name: sql.upsertMany.name, text: sql.upsertMany.text, values: columnArrays(rows.map(rowParams)) });
        return new Map(result.rows.map((columns) => decodeRow(columns)).map((row) => [row.id, row] as const));
      },
      key: (row) => row.id,
      unwritten: () => Promise.reject(noRow()),
    },
    BATCH_LIMITS,
  );

  const live = createLiveIds(LIVE_IDS);

  const seen = (row: PresenceRow): PresenceRow => {
    live.saw(row);
    return row;
  };

  const upsert = (row: PresenceRow): Promise<PresenceRow> =>
    guarded('postgres', 'upsert', timeoutMs, () => upsertBatched(checkedRow('postgres', row)).then(seen));

  /** The admit functions' parameters of one input. */
  const admitParams = ({ row, limits }: AdmitInput): string[] => [...rowParams(row), admitLimit(limits.maxMembers), admitLimit(limits.maxSessionsPerActor)];

  /** Reads one row the renewal statement renewed. */
  const renewedRow = (reply: unknown): Admission => ({ admitted: true, row: seen(decodeRow(reply)) });

  /** Reads one reply row of an admit function: the refusal or the stored row. */
  const admission = (reply: AdmitReply): Admission => {
    if (reply.refused !== null) return { admitted: false, full: reply.refused === 'actor' ? 'actor' : 'channel', live: Number(reply.live) };
    return renewedRow(reply);
  };

  /** One admit through the table's function: the channel lock, the count, the upsert. */
  const admitOne = async (input: AdmitInput): Promise<Admission> => {
    const [reply] = (await pool.query({ name: sql.admit.name, text: sql.admit.text, values: admitParams(input) })).rows as AdmitReply[];
    if (reply === undefined) throw new PresenceError('STORE_UNAVAILABLE', 'postgres store: admit returned no row');
    return admission(reply);
  };

  /** The reply of each id of a statement whose rows carry their input's id. */
  const byId = (rows: unknown[], read: (reply: AdmitReply) => Admission): [string, Admission][] =>
    (rows as AdmitReply[]).map((reply) => [decodeText(reply.id), read(reply)]);

  /**
   * Concurrent admits share statements. The rows the store last saw stored
   * and live go in one that renews those still live at their heartbeat
   * (never refused, so no count, no channel lock); the rest (joins, expired
   * members) go in one call of the many-row admit function, beside it. A row
   * the renewal did not renew (swept or expired meanwhile) then goes through
   * the one-row function alone, and a lone admit goes there at once.
   */
  const admitBatched = createBatcher<AdmitInput, Admission>(
    {
      one: admitOne,
      many: async (inputs) => {
        const renewals: AdmitInput[] = [];
        const joins: AdmitInput[] = [];
        for (const input of inputs) (live.likelyLive(input.row) ? renewals : joins).push(input);
        const sent = await Promise.allSettled([
          renewals.length === 0 ? [] : pool.query({ name: sql.renewMany.name, text: sql.renewMany.text, values: columnArrays(renewals.map(({ row }) => rowParams(row))) }).then(({ rows }) => byId(rows, renewedRow)),
          joins.length === 0 ? [] : pool.query({ name: sql.admitMany.name, text: sql.admitMany.text, values: columnArrays(joins.map(admitParams)) }).then(({ rows }) => byId(rows, admission)),
        ]);
        // Both settle before a failure hands the members to `one`, so no retry overlaps a statement still running.
        const failed = sent.find((outcome) => outcome.status === 'rejected');
        if (failed !== undefined) throw failed.reason;
        return new Map(sent.flatMap((outcome) => (outcome.status === 'fulfilled' ? outcome.value : [])));
      },
      key: ({ row }) => row.id,
      unwritten: admitOne,
    },
    BATCH_LIMITS,
  );

  return {
    get: async (id) => first(await query('get', sql.get, () => [encodeText(id)])),
    upsert,
    update: async (row) => first(await query('update', sql.update, () => rowParams(checkedRow('postgres', row)))),
    admit: async (row, limits) =>
      // No limit can refuse: the plain upsert, which batches, instead of the locking function.
      limits.maxMembers === Infinity && limits.maxSessionsPerActor === Infinity
        ? { admitted: true, row: await upsert(row) }
        : guarded('postgres', 'admit', timeoutMs, () => admitBatched({ row: checkedRow('postgres', row), limits })),
    remove: async (id) => first(await query('remove', sql.remove, () => [encodeText(id)])),
    channel: (scope, channel, now) =>
      query('channel', sql.channel, () => [encodeText(scope), encodeText(channel), timeParam('now', now)]),
    sweep: async (now, limit) => {
      const rows = await query('sweep', sql.sweep, () => {
        const bound = checkSweepLimit('postgres', limit);
        // `LIMIT NULL` is no limit.
        return [timeParam('now', now), bound === Infinity ? null : String(bound)];
      });
      // Oldest first, ties by id (ids are unique), like every store's sweep here.
      return rows.sort((left, right) => left.expiresAt - right.expiresAt || (left.id < right.id ? -1 : 1));
    },
    rows: () => query('rows', sql.rows, () => []),
  };
};
