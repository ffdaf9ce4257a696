/**
 * The SQL of the PostgreSQL store, built once per table name, and the codec
 * between rows and columns. Pure functions, no I/O.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { PresenceConfigError, PresenceError } from '../../errors.js';
import type { PresenceRow, PresenceState } from '../../row.js';

/** A named statement: `pg` prepares it once per connection. */
export interface Statement {
  /** Prepared statement name, unique per text. */
  readonly name: string;
  /** SQL text. */
  readonly text: string;
}

/** A validated table name. */
export interface QuotedTable {
  /** Ready for SQL: `"name"` or `"schema"."name"`. */
  quoted: string;
  /** The table part alone, unquoted: the stem of its index names. */
  bare: string;
}

const PART = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/;

/**
 * Validates and quotes a table name: `table` or `schema.table`, each part a
 * plain identifier of at most 48 characters (so derived index names stay
 * under PostgreSQL's 63).
 *
 * @param table - the name as configured
 * @returns the quoted name and the bare table part
 * @throws PresenceConfigError `INVALID_OPTION` for anything else
 */
export const quoteTable = (table: unknown): QuotedTable => {
  const parts = typeof table === 'string' ? table.split('.') : [];
  if (parts.length < 1 || parts.length > 2 || !parts.every((part) => PART.test(part))) {
    throw new PresenceConfigError(
      'INVALID_OPTION',
      `postgres store: table must be "name" or "schema.name", each a letter or _ followed by up to 47 letters, digits or _; got ${JSON.stringify(table)}`,
    );
  }
  return { quoted: parts.map((part) => `"${part}"`).join('.'), bare: parts[parts.length - 1]! };
};

const statement = (text: string): Statement => ({
  name: `presence_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`,
  text,
});

/** Columns every statement returns, of table alias `of` when given; state as text so no global `pg` type parser can change it. */
const returning = (of = ''): string =>
  `${of}id, ${of}scope, ${of}channel, ${of}actor_id, ${of}session_id, ${of}state::text AS state, ${of}expires_at::text AS expires_at, ${of}heartbeat_at::text AS heartbeat_at`;

const RETURNING = returning();

/** Last writer wins for one column of `p` against the incoming row `incoming`. */
const lww = (column: string, incoming = 'EXCLUDED') => `CASE WHEN ${incoming}.heartbeat_at >= p.heartbeat_at THEN ${incoming}.${column} ELSE p.${column} END`;

/** The `SET` of the last-writer-wins merge of row `incoming` into stored row `p`: expiry only grows. */
const mergeSet = (incoming = 'EXCLUDED'): string => `scope = ${lww('scope', incoming)}, channel = ${lww('channel', incoming)},
  actor_id = ${lww('actor_id', incoming)}, session_id = ${lww('session_id', incoming)},
  state = ${lww('state', incoming)},
  heartbeat_at = GREATEST(p.heartbeat_at, ${incoming}.heartbeat_at),
  expires_at = GREATEST(p.expires_at, ${incoming}.expires_at)`;

/** The merge of an insert into `p` that hit a stored id: upsert and admit share it. */
const MERGE_ON_CONFLICT = `ON CONFLICT (id) DO UPDATE SET
  ${mergeSet()}`;

/** The unnest of the eight row arrays `$1` to `$8` as columns named like the table's. */
const UNNEST_ROWS = `unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::json[], $7::bigint[], $8::bigint[])
  AS r (id, scope, channel, actor_id, session_id, state, expires_at, heartbeat_at)`;

/** The admit function's row columns under the names every statement returns. */
const ADMITTED = ['id', 'scope', 'channel', 'actor_id', 'session_id', 'state', 'expires_at', 'heartbeat_at'].map((column) => `o_${column} AS ${column}`).join(', ');

/** The admit function of a table: `"schema"."name_admit"` beside `"schema"."name"`. */
const admitFunction = (table: string): string => `${table.slice(0, -1)}_admit"`;

/** The admit function of several rows of a table, beside {@link admitFunction}. */
const admitManyFunction = (table: string): string => `${table.slice(0, -1)}_admit_many"`;

/** The admit functions' parameters, in order; the many function takes an array of each. */
const ADMIT_PARAMS = [
  ['id', 'text'],
  ['scope', 'text'],
  ['channel', 'text'],
  ['actor', 'text'],
  ['session', 'text'],
  ['state', 'json'],
  ['expires', 'bigint'],
  ['heartbeat', 'bigint'],
  ['max_members', 'bigint'],
  ['max_sessions', 'bigint'],
] as const;

/** What both admit functions return: the refusal and its count, or the stored row; `o_id` is the input's id either way. */
const ADMIT_RETURNS = `RETURNS TABLE (refused text, live bigint, o_id text, o_scope text, o_channel text, o_actor_id text,
  o_session_id text, o_state text, o_expires_at text, o_heartbeat_at text)`;

/** The advisory lock key of a channel, as both admit functions take it. */
const channelLockKey = (scope: string, channel: string): string => `hashtext(json_build_array(${scope}, ${channel})::text)`;

/**
 * One admission, its inputs read by `input` (a parameter, or an element of
 * one): unless the id is live at its heartbeat, the count of the channel's
 * other live rows, then the refusal or the merge. Each statement takes a
 * fresh snapshot (plpgsql under READ COMMITTED), so an admission that waited
 * for its channel's lock counts the member that held it, and a later row of
 * the same call counts the earlier ones. `done` ends this admission.
 */
const admitStep = (table: string, input: (name: (typeof ADMIT_PARAMS)[number][0]) => string, done: 'RETURN' | 'CONTINUE'): string => `
  IF NOT EXISTS (SELECT 1 FROM ${table} t WHERE t.id = ${input('id')} AND t.expires_at > ${input('heartbeat')}) THEN
    SELECT count(*), count(*) FILTER (WHERE t.actor_id = ${input('actor')}) INTO n_members, n_sessions
      FROM ${table} t WHERE t.scope = ${input('scope')} AND t.channel = ${input('channel')} AND t.${BUCKET_COLUMN} >= ${bucketOf(input('heartbeat'))}
        AND t.expires_at > ${input('heartbeat')} AND t.id <> ${input('id')};
    IF n_members >= ${input('max_members')} OR n_sessions >= ${input('max_sessions')} THEN
      RETURN QUERY SELECT CASE WHEN n_members >= ${input('max_members')} THEN 'channel' ELSE 'actor' END,
        CASE WHEN n_members >= ${input('max_members')} THEN n_members ELSE n_sessions END,
        ${input('id')}, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text;
      ${done};
    END IF;
  END IF;
  RETURN QUERY WITH written AS (
    INSERT INTO ${table} AS p (id, scope, channel, actor_id, session_id, state, expires_at, heartbeat_at)
    VALUES (${ADMIT_PARAMS.slice(0, 5).map(([name]) => input(name)).join(', ')}, ${input('state')}, ${input('expires')}, ${input('heartbeat')})
    ${MERGE_ON_CONFLICT}
    RETURNING p.*
  ) SELECT NULL::text, 0::bigint, w.id, w.scope, w.channel, w.actor_id, w.session_id, w.state::text, w.expires_at::text, w.heartbeat_at::text FROM written w;`;

/**
 * The admit functions of a table. The one-row function takes its channel's
 * advisory lock and runs {@link admitStep}. The many-row function takes the
 * locks of all its channels first, in key order, then runs the step for each
 * row in id order: every transaction that waits for an advisory lock holds
 * no row lock, and every row lock is taken in id order (as the multi-row
 * upsert and renewal do), so no cycle of waits can form.
 */
const admitFunctionsSql = (table: string): string => {
  const lock = (key: string) => `pg_advisory_xact_lock(hashtext(${literal(`presence-admit:${table}`)}), ${key})`;
  return `CREATE OR REPLACE FUNCTION ${admitFunction(table)}(
  ${ADMIT_PARAMS.map(([name, type]) => `p_${name} ${type}`).join(', ')})
${ADMIT_RETURNS}
LANGUAGE plpgsql AS $admit$
DECLARE
  n_members bigint;
  n_sessions bigint;
BEGIN
  PERFORM ${lock(channelLockKey('p_scope', 'p_channel'))};${admitStep(table, (name) => `p_${name}`, 'RETURN')}
END
$admit$;
CREATE OR REPLACE FUNCTION ${admitManyFunction(table)}(
  ${ADMIT_PARAMS.map(([name, type]) => `p_${name} ${type}[]`).join(', ')})
${ADMIT_RETURNS}
LANGUAGE plpgsql AS $admit$
DECLARE
  n_members bigint;
  n_sessions bigint;
  k integer;
  i integer;
BEGIN
  FOR k IN SELECT DISTINCT ${channelLockKey('u.s', 'u.c')} FROM unnest(p_scope, p_channel) AS u (s, c) ORDER BY 1 LOOP
    PERFORM ${lock('k')};
  END LOOP;
  FOR i IN SELECT u.n::integer FROM unnest(p_id) WITH ORDINALITY AS u (id, n) ORDER BY u.id LOOP${admitStep(table, (name) => `p_${name}[i]`, 'CONTINUE')}
  END LOOP;
END
$admit$;`;
};

/** A SQL string literal. */
const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/** Every statement of one table. */
export interface Statements {
  /** One row by id. */
  readonly get: Statement;
  /** Insert or last-writer-wins merge, returning the stored row. */
  readonly upsert: Statement;
  /** The same merge for several rows with distinct ids, given as eight arrays, applied in id order. */
  readonly upsertMany: Statement;
  /** A heartbeat's write through the admit function: refused at a member limit, else the upsert. */
  readonly admit: Statement;
  /** The same for several rows with distinct ids, ten arrays, through the many-row admit function. */
  readonly admitMany: Statement;
  /** The merge of several rows with distinct ids, eight arrays, on those stored and live at their own heartbeat only: admit's renewals. */
  readonly renewMany: Statement;
  /** The same merge on an existing row only. */
  readonly update: Statement;
  /** Delete one id, returning it. */
  readonly remove: Statement;
  /** Live rows of one scope and channel. */
  readonly channel: Statement;
  /** Delete and return up to a limit of expired rows. */
  readonly sweep: Statement;
  /** Every row. */
  readonly rows: Statement;
}

/**
 * The statements of a table. Upsert is one `INSERT ... ON CONFLICT DO UPDATE`
 * that always updates: `CASE` keeps the stored fields when the incoming
 * heartbeat is older (last writer wins) while `GREATEST` still raises
 * `expires_at`, so both rules hold in one atomic statement that returns the
 * stored row. Sweep locks its victims with `FOR UPDATE SKIP LOCKED` (a
 * concurrent sweeper takes other rows; a row being renewed is skipped) and
 * re-checks expiry on the row it deletes.
 *
 * @param table - the quoted table name
 * @returns the statements
 */
export const statements = (table: string): Statements => {
  return {
    get: statement(`SELECT ${RETURNING} FROM ${table} WHERE id = $1`),
    upsert: statement(
      `INSERT INTO ${table} AS p (id, scope, channel, actor_id, session_id, state, expires_at, heartbeat_at)
VALUES ($1, $2, $3, $4, $5, $6::json, $7::bigint, $8::bigint)
${MERGE_ON_CONFLICT}
RETURNING ${RETURNING}`,
    ),
    // Rows are inserted, and their stored versions locked, in id order: two batches never wait on each other in a cycle.
    upsertMany: statement(
      `INSERT INTO ${table} AS p (id, scope, channel, actor_id, session_id, state, expires_at, heartbeat_at)
SELECT * FROM ${UNNEST_ROWS}
ORDER BY id
${MERGE_ON_CONFLICT}
RETURNING ${RETURNING}`,
    ),
    // A live member is never refused (`refusedAdmission`), so renewing one needs no count and no channel lock.
    // Locks: rows only, in id order like upsertMany; the admit function takes its channel's advisory lock and then
    // one row lock and waits for nothing after it, so no cycle of waits can form with batches or functions.
    // READ COMMITTED: `FOR UPDATE` waits for a concurrent writer of a row, then re-checks the join's
    // `expires_at > heartbeat_at` on the row's latest version (EvalPlanQual). A row swept or removed meanwhile is
    // not locked, not updated and not returned, so it goes to the admit function as a join; a row another
    // heartbeat renewed is still live (expiry only grows). Once locked, nothing changes it until this commits,
    // and the UPDATE merges into that latest version. MATERIALIZED: the locks are taken, sorted, before the update.
    renewMany: statement(
      `WITH r AS (SELECT * FROM ${UNNEST_ROWS}),
live AS MATERIALIZED (SELECT t.id FROM ${table} t JOIN r ON r.id = t.id WHERE t.expires_at > r.heartbeat_at ORDER BY t.id FOR UPDATE OF t)
UPDATE ${table} AS p SET
  ${mergeSet('r')}
FROM r JOIN live ON live.id = r.id
WHERE p.id = r.id
RETURNING ${returning('p.')}`,
    ),
    update: statement(
      `UPDATE ${table} AS p SET
  scope = CASE WHEN $8::bigint >= p.heartbeat_at THEN $2 ELSE p.scope END,
  channel = CASE WHEN $8::bigint >= p.heartbeat_at THEN $3 ELSE p.channel END,
  actor_id = CASE WHEN $8::bigint >= p.heartbeat_at THEN $4 ELSE p.actor_id END,
  session_id = CASE WHEN $8::bigint >= p.heartbeat_at THEN $5 ELSE p.session_id END,
  state = CASE WHEN $8::bigint >= p.heartbeat_at THEN $6::json ELSE p.state END,
  heartbeat_at = GREATEST(p.heartbeat_at, $8::bigint),
  expires_at = GREATEST(p.expires_at, $7::bigint)
WHERE p.id = $1
RETURNING ${RETURNING}`,
    ),
    admit: statement(`SELECT refused, live::text AS live, ${ADMITTED} FROM ${admitFunction(table)}(${ADMIT_PARAMS.map(([, type], n) => `$${n + 1}::${type}`).join(', ')})`),
    admitMany: statement(`SELECT refused, live::text AS live, ${ADMITTED} FROM ${admitManyFunction(table)}(${ADMIT_PARAMS.map(([, type], n) => `$${n + 1}::${type}[]`).join(', ')})`),
    remove: statement(`DELETE FROM ${table} WHERE id = $1 RETURNING ${RETURNING}`),
    channel: statement(`SELECT ${RETURNING} FROM ${table} WHERE scope = $1 AND channel = $2 AND ${BUCKET_COLUMN} >= ${bucketOf('$3::bigint')} AND expires_at > $3::bigint`),
    sweep: statement(
      `DELETE FROM ${table} AS p WHERE p.id IN (
  SELECT id FROM ${table} WHERE ${BUCKET_COLUMN} <= ${bucketOf('$1::bigint')} AND expires_at <= $1::bigint ORDER BY expires_at LIMIT $2::bigint FOR UPDATE SKIP LOCKED
) AND p.expires_at <= $1::bigint
RETURNING ${RETURNING}`,
    ),
    rows: statement(`SELECT ${RETURNING} FROM ${table}`),
  };
};

/**
 * Width of an expiry bucket in milliseconds. The indexes hold
 * `expires_at / EXPIRY_BUCKET_MS`, not `expires_at`, so a heartbeat that
 * keeps its row in the same bucket changes no indexed column and can be a
 * HOT update (no index writes). A renewal that moves `expires_at` by `d`
 * changes the bucket with probability `d / EXPIRY_BUCKET_MS`: 5 % for the
 * pack's 15 s renewals (60 s buckets crossed 25 %). The cost: a sweep, a
 * channel read and the admit count also visit the live rows of the bucket
 * `now` falls in and re-check their exact `expires_at`. For a TTL shorter
 * than the bucket that is most live rows for a sweep, already three in four
 * with 60 s buckets and a 30 s TTL, so a wider bucket costs the sweep little
 * more (bench/README.md, round 3).
 */
export const EXPIRY_BUCKET_MS = 300_000;

/**
 * Fill factor of a new table, in percent: inserts leave 30 % of each heap
 * page free, so a renewal finds room for its new version on the row's own
 * page (the other condition of a HOT update) until pruning frees the old one.
 */
export const FILL_FACTOR = 70;

/** The generated column that holds a row's expiry bucket. */
const BUCKET_COLUMN = 'expires_bucket';

/** The bucket of a bigint expression. Integer division truncates, which keeps it monotonic, so `t <= now` implies `bucket(t) <= bucket(now)`. */
const bucketOf = (expression: string): string => `(${expression} / ${EXPIRY_BUCKET_MS})`;

/** An index name in the table's schema: `"schema"."bare_suffix"` beside `"schema"."bare"`. */
const indexName = (table: string, bare: string, suffix: string): string => table.replace(/"[^"]*"$/, `"${bare}_${suffix}"`);

/** The bucket column's generation expression as PostgreSQL prints it back (`pg_get_expr`). */
const BUCKET_EXPRESSION = bucketOf('expires_at');

/**
 * The DDL of a table, its indexes and its admit function, idempotent,
 * serialised by an advisory lock so concurrent first starts do not race on
 * the catalog. One simple-protocol query, hence one transaction.
 *
 * A table of an earlier layout is migrated in the same transaction:
 * - without the bucket column (indexes on `expires_at`), the column is added
 *   (PostgreSQL rewrites the table once, under an exclusive lock), the bucket
 *   indexes are built and the two `expires_at` indexes dropped. Stores of that
 *   version keep working on the migrated table (they name their columns),
 *   only without their indexes;
 * - with a bucket of another width, the column and its indexes are dropped
 *   and made again (another rewrite). Stores that compute the old width must
 *   be stopped first: their reads would compare against the wrong buckets;
 * - without a fill factor of its own, it gets {@link FILL_FACTOR}. That
 *   applies to pages filled from then on; `VACUUM FULL` applies it to the
 *   rows already stored. A fill factor set by hand is kept.
 *
 * @param table - the quoted table name
 * @param bare - the unquoted table part, for index names
 * @param unlogged - whether to create an `UNLOGGED` table
 * @returns the SQL
 */
export const createTableSql = (table: string, bare: string, unlogged = false): string => `SELECT pg_advisory_xact_lock(hashtext(${literal(`presence-ddl:${table}`)}));
CREATE ${unlogged ? 'UNLOGGED ' : ''}TABLE IF NOT EXISTS ${table} (
  id text PRIMARY KEY,
  scope text NOT NULL,
  channel text NOT NULL,
  actor_id text NOT NULL,
  session_id text NOT NULL,
  state json NOT NULL,
  expires_at bigint NOT NULL,
  heartbeat_at bigint NOT NULL
) WITH (fillfactor = ${FILL_FACTOR});
DO $migrate$ BEGIN
  IF EXISTS (SELECT 1 FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
      WHERE d.adrelid = ${literal(table)}::regclass AND a.attname = ${literal(BUCKET_COLUMN)} AND pg_get_expr(d.adbin, d.adrelid) <> ${literal(BUCKET_EXPRESSION)}) THEN
    ALTER TABLE ${table} DROP COLUMN ${BUCKET_COLUMN};
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_class WHERE oid = ${literal(table)}::regclass AND EXISTS (SELECT 1 FROM unnest(reloptions) o WHERE o LIKE 'fillfactor=%')) THEN
    ALTER TABLE ${table} SET (fillfactor = ${FILL_FACTOR});
  END IF;
END $migrate$;
ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${BUCKET_COLUMN} bigint GENERATED ALWAYS AS ${BUCKET_EXPRESSION} STORED;
CREATE INDEX IF NOT EXISTS "${bare}_channel_bucket_idx" ON ${table} (scope, channel, ${BUCKET_COLUMN});
CREATE INDEX IF NOT EXISTS "${bare}_expires_bucket_idx" ON ${table} (${BUCKET_COLUMN});
DROP INDEX IF EXISTS ${indexName(table, bare, 'channel_idx')};
DROP INDEX IF EXISTS ${indexName(table, bare, 'expires_idx')};
${admitFunctionsSql(table)}`;

/** A surrogate half without its partner: not representable in UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Prefix of a text column value that holds an escaped string. */
const ESCAPED = '\u0001';

/**
 * A string as a `text` column can hold it. PostgreSQL text cannot contain
 * NUL or a lone surrogate, so such a string (and, to stay injective, any
 * string starting with U+0001) is stored as U+0001 followed by its JSON
 * literal; every other string is stored as is.
 *
 * @param value - any string
 * @returns the column value
 */
export const encodeText = (value: string): string =>
  value.startsWith(ESCAPED) || value.includes('\u0000') || LONE_SURROGATE.test(value) ? ESCAPED + JSON.stringify(value) : value;

/**
 * Inverse of {@link encodeText}.
 *
 * @param value - a column value
 * @returns the original string
 */
export const decodeText = (value: string): string => (value.startsWith(ESCAPED) ? (JSON.parse(value.slice(1)) as string) : value);

/**
 * Validates an epoch-millisecond argument (`now`, a time field).
 *
 * @param field - its name, for the error
 * @param value - the value
 * @returns its decimal text
 * @throws PresenceError `INVALID_ARGS` unless it is a safe integer
 */
export const timeParam = (field: string, value: number): string => {
  if (!Number.isSafeInteger(value)) {
    throw new PresenceError('INVALID_ARGS', `postgres store: ${field} must be an integer number of epoch milliseconds, got ${String(value)}`);
  }
  return String(value);
};

/**
 * The eight parameters of upsert and update, in column order.
 *
 * @param row - the incoming row
 * @returns the parameter values
 */
export const rowParams = (row: PresenceRow): string[] => [
  encodeText(row.id),
  encodeText(row.scope),
  encodeText(row.channel),
  encodeText(row.actorId),
  encodeText(row.sessionId),
  // `json`, not `jsonb`: kept byte for byte (key order, `\u0000` escapes) and never queried into.
  JSON.stringify(row.state),
  timeParam('expiresAt', row.expiresAt),
  timeParam('heartbeatAt', row.heartbeatAt),
];

/** One element of an array literal: quoted, with `"` and `\` escaped. */
const arrayElement = (value: string): string => `"${value.replace(/["\\]/g, '\\$&')}"`;

/**
 * The eight array parameters of `upsertMany`: column `i` of every row, each
 * as a PostgreSQL array literal.
 *
 * @param rows - the parameters of each row, as {@link rowParams} makes them
 * @returns one array literal per column
 */
export const columnArrays = (rows: readonly string[][]): string[] =>
  rows[0]!.map((_, column) => `{${rows.map((params) => arrayElement(params[column]!)).join(',')}}`);

/** A result row as the statements return it. */
interface Columns {
  id: string;
  scope: string;
  channel: string;
  actor_id: string;
  session_id: string;
  state: string;
  expires_at: string;
  heartbeat_at: string;
}

/**
 * Rebuilds a row from a result row.
 *
 * @param columns - one row of a statement's result
 * @returns the presence row
 */
export const decodeRow = (columns: unknown): PresenceRow => {
  const row = columns as Columns;
  return {
    id: decodeText(row.id),
    scope: decodeText(row.scope),
    channel: decodeText(row.channel),
    actorId: decodeText(row.actor_id),
    sessionId: decodeText(row.session_id),
    state: JSON.parse(row.state) as PresenceState,
    expiresAt: Number(row.expires_at),
    heartbeatAt: Number(row.heartbeat_at),
  };
};
