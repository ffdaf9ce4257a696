/**
 * The PostgreSQL store against a real server: the whole spec kit, hostile
 * input, concurrent sweepers, the table DDL, and option validation.
 */
import { describe, expect, test } from 'vitest';
import { PresenceConfigError } from '../src/errors.js';
import type { PresenceIdentity, PresenceRow } from '../src/row.js';
import type { PresenceStore } from '../src/store.js';
import { createMemoryPresenceStore } from '../src/stores/memory.js';
import { createPostgresPresenceStore, createPostgresPresenceTable, type PostgresQueryable } from '../src/stores/postgres.js';
import { decodeText, encodeText, EXPIRY_BUCKET_MS, FILL_FACTOR, quoteTable, statements } from '../src/stores/postgres/sql.js';
import { closePool, openPool, postgresSkipReason } from './servers/postgres.js';
import { usePostgresTables } from './servers/postgres-tables.js';
import { certifyEachInvariant, expectExactRoundTrips, expectExclusiveConcurrentSweeps, expectRenewedNeverSwept, expectRowChecks, hostileIdentities, largeState, rowOf } from './servers/store-cases.js';

const skip = postgresSkipReason();

describe.skipIf(skip !== undefined)(skip === undefined ? 'postgres store' : `postgres store (SKIPPED: ${skip})`, () => {
  const db = usePostgresTables('presence_t');
  const { create, destroy, freshTable } = db;

  /** The table's storage options and its bucket column's generation expression. */
  const tableLayout = async (quoted: string) => {
    const layout = await db.pool.query<{ reloptions: string[] | null; bucket: string }>(
      `SELECT c.reloptions, pg_get_expr(d.adbin, d.adrelid) AS bucket FROM pg_class c
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'expires_bucket' JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
        WHERE c.oid = $1::regclass`,
      [quoted],
    );
    return layout.rows[0];
  };

  /** Expiries at and around bucket edges, negative ones included, in order. */
  const bucketEdges = [-2 * EXPIRY_BUCKET_MS - 1, -1, 0, EXPIRY_BUCKET_MS - 1, EXPIRY_BUCKET_MS, 2 * EXPIRY_BUCKET_MS + 5_000];

  /** Channel reads and sweeps of rows at {@link bucketEdges} see exact times, not buckets. */
  const expectExactAtBucketEdges = async (store: PresenceStore, rows: PresenceRow[]): Promise<void> => {
    expect(await store.channel('s', 'c', EXPIRY_BUCKET_MS - 1)).toEqual(rows.slice(4));
    expect(await store.channel('s', 'c', -2 * EXPIRY_BUCKET_MS - 2)).toEqual(rows);
    expect(await store.sweep(0)).toEqual(rows.slice(0, 3));
    expect(await store.sweep(EXPIRY_BUCKET_MS)).toEqual(rows.slice(3, 5));
    expect(await store.rows()).toEqual(rows.slice(5));
  };

  describe('spec kit', () => certifyEachInvariant(() => ({ create, destroy })));

  test('round-trips hostile ids (NUL, lone surrogates, U+0001), channels and an 8 KiB state exactly, key order included', async () => {
    const store = await create();
    await expectExactRoundTrips(store);
    await destroy(store);
  });

  test('concurrent sweepers on several pools each take disjoint rows, never a renewed one', async () => {
    const table = freshTable();
    await createPostgresPresenceTable(db.pool, { table });
    const pools = [0, 1, 2].map(() => openPool({ connectionString: db.url, max: 8 }));
    try {
      const nodes = pools.map((nodePool) => createPostgresPresenceStore({ pool: nodePool, table }));
      await expectExclusiveConcurrentSweeps(nodes);
      await expectRenewedNeverSwept(nodes);
    } finally {
      await Promise.all(pools.map(closePool));
      await db.pool.query(`DROP TABLE "${table}"`);
    }
  });

  test('the table: primary key, channel and expiry indexes, idempotent and concurrent creation, schema-qualified names', async () => {
    const table = freshTable();
    await Promise.all([0, 1, 2, 3].map(() => createPostgresPresenceTable(db.pool, { table })));
    const indexes = await db.pool.query<{ indexdef: string }>('SELECT indexdef FROM pg_indexes WHERE tablename = $1 ORDER BY indexname', [table]);
    expect(indexes.rows.map((row) => row.indexdef.replace(/^.* USING /, ''))).toEqual(['btree (scope, channel, expires_bucket)', 'btree (expires_bucket)', 'btree (id)']);
    const columns = await db.pool.query<{ column_name: string; data_type: string }>(
      'SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position',
      [table],
    );
    expect(columns.rows.map((row) => `${row.column_name} ${row.data_type}`)).toEqual([
      'id text', 'scope text', 'channel text', 'actor_id text', 'session_id text', 'state json', 'expires_at bigint', 'heartbeat_at bigint', 'expires_bucket bigint',
    ]);
    expect(await tableLayout(`"${table}"`)).toEqual({ reloptions: [`fillfactor=${FILL_FACTOR}`], bucket: `(expires_at / ${EXPIRY_BUCKET_MS})` });
    await db.pool.query(`DROP TABLE "${table}"`);
    await db.pool.query('CREATE SCHEMA IF NOT EXISTS presence_schema');
    await createPostgresPresenceTable(db.pool, { table: 'presence_schema.rows' });
    const store = createPostgresPresenceStore({ pool: db.pool, table: 'presence_schema.rows' });
    const row = rowOf({ scope: 's', channel: 'c', actorId: 'a', sessionId: '' }, 1, 2);
    expect(await store.upsert(row)).toEqual(row);
    await db.pool.query('DROP SCHEMA presence_schema CASCADE');
  });

  test('a table from before expiry buckets migrates in place: rows kept, bucket indexes instead of expires_at ones, the kit still holds', async () => {
    const table = freshTable();
    await db.pool.query('CREATE SCHEMA IF NOT EXISTS presence_old');
    const name = `presence_old.${table}`;
    // The layout of the previous release.
    await db.pool.query(`CREATE TABLE ${name} (id text PRIMARY KEY, scope text NOT NULL, channel text NOT NULL, actor_id text NOT NULL,
      session_id text NOT NULL, state json NOT NULL, expires_at bigint NOT NULL, heartbeat_at bigint NOT NULL);
      CREATE INDEX "${table}_channel_idx" ON ${name} (scope, channel, expires_at);
      CREATE INDEX "${table}_expires_idx" ON ${name} (expires_at)`);
    const rows = bucketEdges.map((expiresAt, n) => rowOf({ scope: 's', channel: 'c', actorId: `a${n}`, sessionId: '' }, expiresAt - 10, expiresAt, { n }));
    for (const row of rows) {
      await db.pool.query(`INSERT INTO ${name} VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
        row.id, row.scope, row.channel, row.actorId, row.sessionId, JSON.stringify(row.state), row.expiresAt, row.heartbeatAt,
      ]);
    }
    await createPostgresPresenceTable(db.pool, { table: name });
    await createPostgresPresenceTable(db.pool, { table: name });
    const indexes = await db.pool.query<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE schemaname = 'presence_old' AND tablename = $1 ORDER BY indexname", [table]);
    expect(indexes.rows.map((row) => row.indexname)).toEqual([`${table}_channel_bucket_idx`, `${table}_expires_bucket_idx`, `${table}_pkey`]);
    expect(await tableLayout(name)).toEqual({ reloptions: [`fillfactor=${FILL_FACTOR}`], bucket: `(expires_at / ${EXPIRY_BUCKET_MS})` });
    await expectExactAtBucketEdges(createPostgresPresenceStore({ pool: db.pool, table: name }), rows);
    await db.pool.query('DROP SCHEMA presence_old CASCADE');
  });

  test('a table with buckets of another width is rebuilt to this width, rows kept; a fill factor set by hand is kept', async () => {
    const table = freshTable();
    // The first bucketed layout: 60 s buckets, the default fill factor, here set by hand to 90.
    await db.pool.query(`CREATE TABLE "${table}" (id text PRIMARY KEY, scope text NOT NULL, channel text NOT NULL, actor_id text NOT NULL,
      session_id text NOT NULL, state json NOT NULL, expires_at bigint NOT NULL, heartbeat_at bigint NOT NULL,
      expires_bucket bigint GENERATED ALWAYS AS (expires_at / 60000) STORED) WITH (fillfactor = 90);
      CREATE INDEX "${table}_channel_bucket_idx" ON "${table}" (scope, channel, expires_bucket);
      CREATE INDEX "${table}_expires_bucket_idx" ON "${table}" (expires_bucket)`);
    const store = createPostgresPresenceStore({ pool: db.pool, table });
    const rows = bucketEdges.map((expiresAt, n) => rowOf({ scope: 's', channel: 'c', actorId: `a${n}`, sessionId: '' }, expiresAt - 10, expiresAt, { n }));
    for (const row of rows) await store.upsert(row);
    await createPostgresPresenceTable(db.pool, { table });
    await createPostgresPresenceTable(db.pool, { table });
    expect(await tableLayout(`"${table}"`)).toEqual({ reloptions: ['fillfactor=90'], bucket: `(expires_at / ${EXPIRY_BUCKET_MS})` });
    const indexes = await db.pool.query<{ indexdef: string }>('SELECT indexdef FROM pg_indexes WHERE tablename = $1 ORDER BY indexname', [table]);
    expect(indexes.rows.map((row) => row.indexdef.replace(/^.* USING /, ''))).toEqual(['btree (scope, channel, expires_bucket)', 'btree (expires_bucket)', 'btree (id)']);
    const buckets = await db.pool.query<{ stale: string }>(`SELECT count(*) AS stale FROM "${table}" WHERE expires_bucket <> expires_at / ${EXPIRY_BUCKET_MS}`);
    expect(buckets.rows).toEqual([{ stale: '0' }]);
    await expectExactAtBucketEdges(store, rows);
    await db.pool.query(`DROP TABLE "${table}"`);
  });

  test('a renewal that keeps its bucket is a HOT update, one that crosses a bucket edge is not, and the fill factor leaves room for them', async () => {
    const table = freshTable();
    await createPostgresPresenceTable(db.pool, { table });
    // One connection, one transaction: pg_stat_xact_user_tables counts exactly this transaction's updates.
    const client = await db.pool.connect();
    try {
      const store = createPostgresPresenceStore({ pool: client, table });
      const updates = async () => {
        const counts = await client.query<{ upd: string; hot: string }>('SELECT n_tup_upd AS upd, n_tup_hot_upd AS hot FROM pg_stat_xact_user_tables WHERE relid = $1::regclass', [`"${table}"`]);
        return counts.rows[0];
      };
      const identity = { scope: 's', channel: 'c', actorId: 'a', sessionId: '' };
      await client.query('BEGIN');
      await store.upsert(rowOf(identity, 1_000, 31_000));
      await store.upsert(rowOf(identity, 16_000, 46_000));
      expect(await updates()).toEqual({ upd: '1', hot: '1' });
      // The same renewal step past the end of bucket 0.
      await store.upsert(rowOf(identity, EXPIRY_BUCKET_MS - 29_000, EXPIRY_BUCKET_MS + 1_000));
      expect(await updates()).toEqual({ upd: '2', hot: '1' });
      // A full first page, every row renewed in its bucket: none of the old versions can be pruned inside this
      // transaction, so each HOT update needs room the fill factor left.
      const members = Array.from({ length: 200 }, (_, n) => rowOf({ ...identity, actorId: `m${n}` }, 1_000, 31_000, { name: `member ${n}` }));
      for (const row of members) await store.upsert(row);
      const firstPage = await client.query<{ id: string }>(`SELECT id FROM "${table}" WHERE (ctid::text::point)[0] = 0 AND actor_id LIKE 'm%'`);
      for (const { id } of firstPage.rows) await store.upsert({ ...members.find((row) => row.id === id)!, heartbeatAt: 16_000, expiresAt: 46_000 });
      const after = await updates();
      const hot = Number(after!.hot) - 1;
      expect(Number(after!.upd) - 2).toBe(firstPage.rows.length);
      // 30 % of a page left free holds the new versions of more than a third of the 70 % it was filled with.
      expect(hot).toBeGreaterThan(firstPage.rows.length / 3);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    await db.pool.query(`DROP TABLE "${table}"`);
  });

  test('an unlogged table works the same', async () => {
    const table = freshTable();
    await createPostgresPresenceTable(db.pool, { table, unlogged: true });
    const persistence = await db.pool.query<{ relpersistence: string }>('SELECT relpersistence FROM pg_class WHERE relname = $1', [table]);
    expect(persistence.rows).toEqual([{ relpersistence: 'u' }]);
    await expectExactRoundTrips(createPostgresPresenceStore({ pool: db.pool, table }));
    await db.pool.query(`DROP TABLE "${table}"`);
  });

  test('default table name, plain-text columns for ordinary strings', async () => {
    await createPostgresPresenceTable(db.pool);
    const store = createPostgresPresenceStore({ pool: db.pool });
    const row = rowOf({ scope: 'tenant', channel: 'room 1', actorId: 'ada', sessionId: 'tab' }, 5, 9, { b: 1, a: 2 });
    await store.upsert(row);
    const raw = await db.pool.query('SELECT scope, channel, actor_id, session_id, state::text AS state FROM presence');
    expect(raw.rows).toEqual([{ scope: 'tenant', channel: 'room 1', actor_id: 'ada', session_id: 'tab', state: '{"b":1,"a":2}' }]);
    await db.pool.query('DROP TABLE presence');
  });

  test('refuses what every bundled store refuses (row-check.ts), with the same code, storing nothing', async () => {
    const store = await create();
    await expectRowChecks(store);
    await destroy(store);
  });

  /** The pool, recording each statement's name, row count and failure. */
  const recording = (pool: PostgresQueryable) => {
    const log: { name: string | undefined; failed: boolean }[] = [];
    const queryable: PostgresQueryable = {
      query: async (config) => {
        const entry = { name: config.name, failed: false };
        log.push(entry);
        try {
          return await pool.query(config);
        } catch (error) {
          entry.failed = true;
          throw error;
        }
      },
    };
    return { log, queryable };
  };

  test('concurrent upserts share multi-row statements and round-trip hostile ids and states exactly; a lone one goes alone', async () => {
    const table = freshTable();
    await createPostgresPresenceTable(db.pool, { table });
    const { log, queryable } = recording(db.pool);
    const store = createPostgresPresenceStore({ pool: queryable, table });
    const rows = Array.from({ length: 64 }, (_, index) => {
      const identity = hostileIdentities[index % hostileIdentities.length]!;
      return rowOf({ ...identity, sessionId: `${identity.sessionId}"\\${index}` }, 100 + index, 1_000 + index, index === 0 ? largeState : { index, quote: '"\\{},' });
    });
    expect(await Promise.all(rows.map((row) => store.upsert(row)))).toEqual(rows);
    expect(log.length).toBeLessThan(rows.length);
    for (const row of rows) expect(await store.get(row.id)).toEqual(row);
    const before = log.length;
    await store.upsert({ ...rows[1]!, heartbeatAt: 5_000, expiresAt: 9_000 });
    expect(log.length).toBe(before + 1);
    await db.pool.query(`DROP TABLE "${table}"`);
  });

  test('in a shared statement every caller gets the row as the merge rule leaves it, and only a failing row fails', async () => {
    const table = freshTable();
    await createPostgresPresenceTable(db.pool, { table });
    await db.pool.query(`ALTER TABLE "${table}" ADD CONSTRAINT no_poison CHECK (actor_id <> 'poison')`);
    const store = createPostgresPresenceStore({ pool: db.pool, table });
    const identity = (n: number) => ({ scope: 's', channel: 'c', actorId: n === 13 ? 'poison' : `a${n}`, sessionId: '' });
    // Stored first: half of the rows hold a newer heartbeat than the incoming ones.
    for (let n = 0; n < 40; n += 2) await store.upsert(rowOf(identity(n), 500, 2_000, { kept: n }));
    const incoming = Array.from({ length: 40 }, (_, n) => rowOf(identity(n), 300, 3_000, { sent: n }));
    const settled = await Promise.allSettled(incoming.map((row) => store.upsert(row)));
    settled.forEach((outcome, n) => {
      if (n === 13) expect(outcome).toMatchObject({ status: 'rejected', reason: { code: 'STORE_UNAVAILABLE' } });
      else if (n % 2 === 0) expect(outcome).toEqual({ status: 'fulfilled', value: { ...rowOf(identity(n), 500, 3_000, { kept: n }) } });
      else expect(outcome).toEqual({ status: 'fulfilled', value: incoming[n] });
    });
    expect((await store.rows()).length).toBe(39);
    await db.pool.query(`DROP TABLE "${table}"`);
  });

  /**
   * Six rounds in which the stores of two pools each write every id, one in
   * order and one reversed, with `beside` running alongside: no statement
   * fails (a deadlock would), they share statements, and each id ends as `last` says.
   */
  const expectOpposingRounds = async (
    ids: PresenceIdentity[],
    write: (node: PresenceStore, id: PresenceIdentity, at: { n: number; side: number; round: number }) => unknown,
    beside: (nodes: PresenceStore[], round: number) => unknown,
    last: Partial<PresenceRow>,
  ): Promise<void> => {
    const table = freshTable();
    await createPostgresPresenceTable(db.pool, { table });
    const pools = [0, 1].map(() => openPool({ connectionString: db.url, max: 8 }));
    try {
      const recorded = pools.map(recording);
      const nodes = recorded.map(({ queryable }) => createPostgresPresenceStore({ pool: queryable, table }));
      for (let round = 1; round <= 6; round += 1) {
        await Promise.all([
          ...nodes.flatMap((node, side) => (side === 0 ? ids : [...ids].reverse()).map((id, n) => write(node, id, { n, side, round }))),
          beside(nodes, round),
        ]);
      }
      const statements = recorded.flatMap(({ log }) => log);
      expect(statements.filter((entry) => entry.failed)).toEqual([]);
      expect(statements.length).toBeLessThan(2 * 6 * ids.length);
      for (const id of ids) expect(await nodes[0]!.get(rowOf(id, 0, 0).id)).toMatchObject(last);
    } finally {
      await Promise.all(pools.map(closePool));
      await db.pool.query(`DROP TABLE "${table}"`);
    }
  };

  test('batches of the same ids in opposite orders from two pools never deadlock', async () => {
    const ids = Array.from({ length: 48 }, (_, n) => ({ scope: 's', channel: `c${n % 3}`, actorId: `a${n}`, sessionId: '' }));
    await expectOpposingRounds(ids, (node, id, { side, round }) => node.upsert(rowOf(id, round * 10 + side, round * 100 + side)), async () => undefined, { heartbeatAt: 61, expiresAt: 601 });
  });

  const byId = (left: PresenceRow, right: PresenceRow) => (left.id < right.id ? -1 : 1);

  /** The pack's default limits, which every heartbeat passes. */
  const packLimits = { maxMembers: Infinity, maxSessionsPerActor: 32 };

  /** A fresh table's recorded store and a memory store, both holding `stored`. */
  const besideModel = async (stored: PresenceRow[]) => {
    const table = freshTable();
    await createPostgresPresenceTable(db.pool, { table });
    const { log, queryable } = recording(db.pool);
    const store = createPostgresPresenceStore({ pool: queryable, table });
    const model = createMemoryPresenceStore();
    for (const row of stored) {
      await store.upsert(row);
      model.upsert(row);
    }
    return { table, log, store, model };
  };

  test('concurrent admits with limits renew live members in shared statements, each caller getting its row as the merge rule leaves it', async () => {
    const identity = (n: number) => ({ ...hostileIdentities[n % hostileIdentities.length]!, sessionId: `s${n}"\\` });
    // Stored and live at every incoming heartbeat; the even ones hold a newer heartbeat than the renewal.
    const stored = Array.from({ length: 64 }, (_, n) => rowOf(identity(n), n % 2 === 0 ? 700 : 100, 2_000, { kept: n }));
    const { table, log, store, model } = await besideModel(stored);
    const incoming = stored.map((row, n) => rowOf(identity(n), 400 + n, 1_000 + 50 * n, n === 0 ? largeState : { sent: n }));
    const before = log.length;
    const admitted = await Promise.all(incoming.map((row) => store.admit(row, packLimits)));
    expect(log.length - before).toBeLessThan(incoming.length / 4);
    expect(admitted).toEqual(incoming.map((row) => model.admit(row, packLimits)));
    admitted.forEach((admission, n) => {
      const expiresAt = Math.max(2_000, 1_000 + 50 * n);
      expect(admission).toEqual({ admitted: true, row: n % 2 === 0 ? { ...stored[n]!, expiresAt } : { ...incoming[n]!, expiresAt } });
    });
    expect((await store.rows()).sort(byId)).toEqual((model.rows() as PresenceRow[]).sort(byId));
    // A lone admit is one statement, through the admit function.
    const lone = log.length;
    await store.admit(rowOf(identity(1), 5_000, 9_000), packLimits);
    expect(log.length).toBe(lone + 1);
    await db.pool.query(`DROP TABLE "${table}"`);
  });

  test('a burst of joins shares admit-function calls and sends no renewal; renewals of rows this store saw share one, rows it never saw are still renewed exactly', async () => {
    const identity = (n: number) => ({ ...hostileIdentities[n % hostileIdentities.length]!, sessionId: `j${n}` });
    const { table, log, store, model } = await besideModel([]);
    const renewMany = statements(quoteTable(table).quoted).renewMany.name;
    const renewalsSent = (from: number) => log.slice(from).filter((entry) => entry.name === renewMany).length;
    const admitAll = async (rows: PresenceRow[], on: PresenceStore = store) => {
      const results = await Promise.all(rows.map((row) => on.admit(row, packLimits)));
      expect(results).toEqual(rows.map((row) => model.admit(row, packLimits)));
    };
    // Hostile ids and an 8 KiB state with NUL and a lone surrogate go through the many-row function's arrays.
    const joins = Array.from({ length: 64 }, (_, n) => rowOf(identity(n), 100, 1_000 + n, n % 8 === 1 ? largeState : { n }));
    let mark = log.length;
    await admitAll(joins);
    // Joins share calls of the many-row admit function, and send no renewal that would renew nothing.
    expect(renewalsSent(mark)).toBe(0);
    expect(log.length - mark).toBeLessThan(joins.length / 4);
    mark = log.length;
    await admitAll(joins.map((row, n) => rowOf(identity(n), 500, 2_000 + n, { renewed: n })));
    expect(renewalsSent(mark)).toBeGreaterThan(0);
    expect(log.length - mark).toBeLessThan(joins.length / 4);
    // A second node over the same table never saw these rows: they go through the admit functions, exactly.
    const { log: otherLog, queryable } = recording(db.pool);
    const other = createPostgresPresenceStore({ pool: queryable, table });
    await admitAll(joins.map((row, n) => rowOf(identity(n), 900, 2_500 + n, { other: n })), other);
    expect(otherLog.filter((entry) => entry.name === renewMany)).toEqual([]);
    expect((await store.rows()).sort(byId)).toEqual((model.rows() as PresenceRow[]).sort(byId));
    await db.pool.query(`DROP TABLE "${table}"`);
  });

  test('a failed many-row admit hands every member of its batch to the one-row function, only once the renewal beside it has settled', async () => {
    const identity = (n: number) => ({ scope: 's', channel: `c${n % 3}`, actorId: `a${n}`, sessionId: '' });
    // Even members are stored (renewals), odd ones join.
    const stored = Array.from({ length: 32 }, (_, n) => rowOf(identity(2 * n), 100, 5_000));
    const { table, store, model } = await besideModel(stored);
    const sql = statements(quoteTable(table).quoted);
    const events: string[] = [];
    let failures = 0;
    const failing: PostgresQueryable = {
      query: async (config) => {
        if (config.name === sql.admitMany.name) {
          failures += 1;
          events.push('admitMany failed');
          throw new Error('injected failure');
        }
        if (config.name === sql.renewMany.name) {
          events.push('renewMany sent');
          // Held so the failure lands first: the batch must still wait for this.
          await new Promise((resolve) => setImmediate(resolve));
          const result = await db.pool.query(config);
          events.push('renewMany settled');
          return result;
        }
        if (config.name === sql.admit.name) events.push('admit');
        return db.pool.query(config);
      },
    };
    const faulty = createPostgresPresenceStore({ pool: failing, table });
    for (const row of stored) await faulty.upsert(row);
    const burst = Array.from({ length: 64 }, (_, n) => rowOf(identity(n), 1_000, 6_000 + n, { n }));
    const results = await Promise.all(burst.map((row) => faulty.admit(row, packLimits)));
    expect(results).toEqual(burst.map((row) => model.admit(row, packLimits)));
    expect(failures).toBeGreaterThan(0);
    // No one-row admit starts between a renewal's send and its settling.
    let open = 0;
    for (const event of events) {
      if (event === 'renewMany sent') open += 1;
      if (event === 'renewMany settled') open -= 1;
      if (event === 'admit') expect(open).toBe(0);
    }
    expect((await store.rows()).sort(byId)).toEqual((model.rows() as PresenceRow[]).sort(byId));
    await db.pool.query(`DROP TABLE "${table}"`);
  });

  test('a burst of renewals, joins over a limit and returning expired members admits and refuses exactly as the memory store does', async () => {
    const limits = { maxMembers: 4, maxSessionsPerActor: 2 };
    const member = (scope: string, channel: string, actorId: string, sessionId = '') => ({ scope, channel, actorId, sessionId });
    const stored: PresenceRow[] = [];
    const burst: PresenceRow[] = [];
    // Every outcome is independent of the order the joins take the channel lock in, so one sequential run is the answer.
    for (let k = 0; k < 4; k += 1) {
      const scope = `s${k}`;
      const live = [0, 1, 2, 3].map((n) => member(scope, 'full', `a${n}`));
      const expired = [0, 1, 2].map((n) => member(scope, 'full', `e${n}`));
      const sessions = [0, 1, 2, 3].map((n) => member(scope, 'actor', 'x', `tab${n}`));
      const room = [member(scope, 'room', 'b0'), member(scope, 'room', 'c0'), member(scope, 'room', 'c1'), member(scope, 'room', 'd0')];
      stored.push(...live.map((id, n) => rowOf(id, n === 3 ? 1_500 : 500, 5_000, { old: n })));
      stored.push(...expired.map((id) => rowOf(id, 100, 900)), rowOf(room[1]!, 100, 900), rowOf(room[2]!, 100, 1_000));
      stored.push(...sessions.slice(0, 2).map((id) => rowOf(id, 500, 5_000)), rowOf(room[0]!, 500, 5_000));
      const joiners = [...expired, member(scope, 'full', 'n0'), member(scope, 'full', 'n1'), member(scope, 'full', 'n2'), ...sessions.slice(2), ...room.slice(1)];
      burst.push(...[...live, ...sessions.slice(0, 2), room[0]!, ...joiners].map((id, n) => rowOf(id, 1_000 + k, 31_000 + n, { k, n })));
    }
    const { table, log, store, model } = await besideModel(stored);
    // Interleaved so renewals and joins share statements.
    const order = burst.map((_, n) => (n * 37) % burst.length);
    expect(new Set(order).size).toBe(burst.length);
    const before = log.length;
    const results = await Promise.all(order.map((n) => store.admit(burst[n]!, limits)));
    expect(log.length - before).toBeLessThan(burst.length);
    expect(results).toEqual(order.map((n) => model.admit(burst[n]!, limits)));
    const refusals = results.filter((result) => !result.admitted);
    expect(refusals).toEqual(expect.arrayContaining([{ admitted: false, full: 'channel', live: 4 }, { admitted: false, full: 'actor', live: 2 }]));
    expect(refusals.length).toBe(4 * 8);
    expect((await store.rows()).sort(byId)).toEqual((model.rows() as PresenceRow[]).sort(byId));
    await db.pool.query(`DROP TABLE "${table}"`);
  });

  test('admits with limits of the same ids in opposite orders from two pools never deadlock, joins and sweeps beside them', async () => {
    const ids = Array.from({ length: 48 }, (_, n) => ({ scope: 's', channel: `c${n % 3}`, actorId: `a${n % 5}`, sessionId: `${n}` }));
    // Every member renews on both nodes each round; every third row written expires before the next round, so its admits are joins again.
    await expectOpposingRounds(
      ids,
      (node, id, { n, side, round }) => node.admit(rowOf(id, round * 100 + side, round * 100 + (n % 3 === 2 ? 50 : 500) + side), packLimits),
      (nodes, round) => nodes[round % 2]!.sweep(round * 100),
      { heartbeatAt: 601 },
    );
  });

  test('rejects non-integer times and bad limits with INVALID_ARGS, touching nothing', async () => {
    const store = await create();
    const row = rowOf({ scope: 's', channel: 'c', actorId: 'a', sessionId: '' }, 1, 2);
    await expect(store.upsert({ ...row, expiresAt: 1.5 })).rejects.toMatchObject({ code: 'INVALID_ARGS' });
    await expect(store.update({ ...row, heartbeatAt: Number.NaN })).rejects.toMatchObject({ code: 'INVALID_ARGS' });
    await expect(store.channel('s', 'c', Number.POSITIVE_INFINITY)).rejects.toMatchObject({ code: 'INVALID_ARGS' });
    await expect(store.sweep(1, -1)).rejects.toMatchObject({ code: 'INVALID_ARGS' });
    expect(await store.sweep(10, Number.POSITIVE_INFINITY)).toEqual([]);
    expect(await store.rows()).toEqual([]);
    await destroy(store);
  });
});

describe('postgres store options and text codec', () => {
  const pool: PostgresQueryable = { query: async () => ({ rows: [] }) };
  test('rejects a missing pool, bad table names and timeouts', async () => {
    expect(() => createPostgresPresenceStore({ pool: {} as PostgresQueryable })).toThrow(PresenceConfigError);
    expect(() => createPostgresPresenceStore(undefined as never)).toThrow(PresenceConfigError);
    for (const table of ['', 'a-b', '"x"', 'a.b.c', '1abc', 'x'.repeat(49), 'a;drop', 7 as unknown as string]) {
      expect(() => createPostgresPresenceStore({ pool, table })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
      await expect(createPostgresPresenceTable(pool, { table })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    }
    await expect(createPostgresPresenceTable({} as PostgresQueryable)).rejects.toMatchObject({ code: 'INVALID_STORE' });
    expect(() => createPostgresPresenceStore({ pool, timeoutMs: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });

  test('an upsert that returns nothing is STORE_UNAVAILABLE', async () => {
    const store = createPostgresPresenceStore({ pool });
    await expect(store.upsert(rowOf({ scope: '', channel: '', actorId: '', sessionId: '' }, 1, 2))).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  test('text codec is injective and reversible', () => {
    for (const value of ['', 'plain', '\u0000', 'a\u0000b', '\ud800', '\udc00x', '\ud83d\ude00', '\u0001', '\u0001"x"', '"\u0001"']) {
      const encoded = encodeText(value);
      expect(decodeText(encoded)).toBe(value);
      expect(encoded.includes('\u0000')).toBe(false);
    }
    expect(encodeText('\u0001')).not.toBe(encodeText('"\u0001"'));
  });
});
