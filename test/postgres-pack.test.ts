/**
 * The presence pack certified on the PostgreSQL store: every pack invariant
 * of the spec kit, through the reference engine with live subscriptions.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import type { PresenceStore } from '../src/store.js';
import { createPostgresPresenceStore, createPostgresPresenceTable } from '../src/stores/postgres.js';
import { postgresSkipReason, startPostgres, type PostgresServer } from './servers/postgres.js';
import { certifyPackEachInvariant } from './servers/store-cases.js';

const skip = postgresSkipReason();
let tables = 0;

describe.skipIf(skip !== undefined)(skip === undefined ? 'presence pack on the postgres store' : `presence pack on the postgres store (SKIPPED: ${skip})`, () => {
  let server: PostgresServer | undefined;
  let pool: pg.Pool;
  const tableOf = new WeakMap<PresenceStore, string>();
  beforeAll(async () => {
    const url = process.env.PRESENCE_PG_URL ?? (server = await startPostgres()).url;
    pool = new pg.Pool({ connectionString: url, max: 20 });
  });
  afterAll(async () => {
    await pool?.end();
    await server?.dispose();
  });
  certifyPackEachInvariant(() => ({
    create: async () => {
      const table = `presence_pk${process.pid}_${(tables += 1)}`;
      await createPostgresPresenceTable(pool, { table });
      const store = createPostgresPresenceStore({ pool, table });
      tableOf.set(store, table);
      return store;
    },
    destroy: async (store) => {
      await pool.query(`DROP TABLE IF EXISTS "${tableOf.get(store)}"`);
    },
  }));
});
