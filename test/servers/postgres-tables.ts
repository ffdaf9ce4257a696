/**
 * One `describe` block's PostgreSQL: a pool on a server of its own (or on
 * `PRESENCE_PG_URL`), opened before the block's tests and closed after them,
 * and stores each on a fresh table.
 *
 * @module
 */
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import type { PresenceStore } from '../../src/store.js';
import { createPostgresPresenceStore, createPostgresPresenceTable } from '../../src/stores/postgres.js';
import { closePool, openPool, startPostgres, type PostgresServer } from './postgres.js';

/** What a block gets from {@link usePostgresTables}; `pool` and `url` are set by `beforeAll`, so read them in tests. */
export interface PostgresTables {
  /** The block's pool (20 connections). */
  readonly pool: pg.Pool;
  /** The server's URL. */
  readonly url: string;
  /** A new table name, unique in this worker: `<prefix><pid>_<n>`. */
  freshTable(): string;
  /** A store on a freshly created table. */
  create(): Promise<PresenceStore>;
  /** Drops the table of a store from `create`. */
  destroy(store: PresenceStore): Promise<void>;
}

let tables = 0;

/**
 * Call inside a `describe`: registers the block's `beforeAll`/`afterAll`
 * (start the server or use `PRESENCE_PG_URL`, open the pool; close both).
 *
 * @param prefix - table name prefix, e.g. `presence_t`
 */
export const usePostgresTables = (prefix: string): PostgresTables => {
  let server: PostgresServer | undefined;
  let pool: pg.Pool | undefined;
  const tableOf = new WeakMap<PresenceStore, string>();
  beforeAll(async () => {
    const url = process.env.PRESENCE_PG_URL ?? (server = await startPostgres()).url;
    pool = openPool({ connectionString: url, max: 20 });
  });
  afterAll(async () => {
    if (pool !== undefined) await closePool(pool);
    await server?.dispose();
  });
  const db: PostgresTables = {
    get pool() {
      return pool!;
    },
    get url() {
      return process.env.PRESENCE_PG_URL ?? server!.url;
    },
    freshTable: () => `${prefix}${process.pid}_${(tables += 1)}`,
    create: async () => {
      const table = db.freshTable();
      await createPostgresPresenceTable(db.pool, { table });
      const store = createPostgresPresenceStore({ pool: db.pool, table });
      tableOf.set(store, table);
      return store;
    },
    destroy: async (store) => {
      await db.pool.query(`DROP TABLE IF EXISTS "${tableOf.get(store)}"`);
    },
  };
  return db;
};
