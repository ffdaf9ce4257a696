/**
 * Outages on a real PostgreSQL: the server stopped or crashed mid-test, and a
 * statement stuck behind a lock. Every store call, and every pack mutation on
 * top, rejects with `STORE_UNAVAILABLE` (or `STORE_TIMEOUT`, outcome unknown, when it is stuck) within the configured timeout (no
 * hang, no unhandled rejection, no crash from the pool's idle-client errors),
 * and the same store works again once the server is back.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPresenceHarness } from '../spec/harness.js';
import { createPostgresPresenceStore, createPostgresPresenceTable } from '../src/stores/postgres.js';
import { waitFor } from './servers/process.js';
import { closePool, failFastPoolOptions, openPool, postgresSkipReason, startPostgres, trackPool, type PostgresServer } from './servers/postgres.js';
import { expectUnavailable, expectWorking } from './servers/store-cases.js';

const skip = postgresSkipReason();
const TIMEOUT_MS = 800;
// Scheduling slack on a loaded CI machine; a hang would take far longer.
const SLACK_MS = 1_000;

describe.skipIf(skip !== undefined)(skip === undefined ? 'postgres store outages' : `postgres store outages (SKIPPED: ${skip})`, () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.dispose();
  });

  const back = (pool: pg.Pool) => waitFor('postgres to accept queries again', async () => (await pool.query('SELECT 1')).rowCount === 1, 20_000);

  for (const outage of ['stop', 'kill'] as const) {
    test(`server ${outage === 'stop' ? 'stopped (fast shutdown)' : 'crashed (SIGKILL)'}: every call and mutation rejects in time; restarted: the store works again`, async () => {
      // No 'error' listener of our own: the store must keep idle-client errors from crashing the process.
      const pool = trackPool(new pg.Pool({ connectionString: server.url, ...failFastPoolOptions }));
      const table = `faults_${outage}`;
      try {
        await createPostgresPresenceTable(pool, { table });
        const store = createPostgresPresenceStore({ pool, table, timeoutMs: TIMEOUT_MS });
        await expectWorking(store);
        // Idle pooled connections exist now, and get cut by the outage.
        await Promise.all([0, 1, 2].map(() => store.rows()));
        // The test server runs with synchronous_commit off: make the table survive a crash.
        await pool.query('CHECKPOINT');
        await server[outage]();
        await expectUnavailable(store, TIMEOUT_MS + SLACK_MS);
        const harness = createPresenceHarness({ config: { store } });
        await expect(harness.as({ userId: 'u1' }).heartbeat('room')).rejects.toMatchObject({ code: expect.stringMatching(/^STORE_(UNAVAILABLE|TIMEOUT)$/) });
        await expect(harness.members({ userId: 'u1' }, 'room')).rejects.toMatchObject({ code: expect.stringMatching(/^STORE_(UNAVAILABLE|TIMEOUT)$/) });
        await server.restart();
        await back(pool);
        await expectWorking(store);
        expect((await harness.as({ userId: 'u1' }).heartbeat('room')).actorId).toBe('u1');
        expect((await harness.members({ userId: 'u2' }, 'room')).map((row) => row.actorId)).toEqual(['u1']);
      } finally {
        await closePool(pool);
      }
    });
  }

  test('a statement stuck behind a lock rejects at timeoutMs, and the store works once the lock is gone', async () => {
    const pool = openPool({ connectionString: server.url, ...failFastPoolOptions, query_timeout: 3_000 });
    const table = 'faults_lock';
    const holder = new pg.Client({ connectionString: server.url });
    holder.on('error', () => undefined);
    try {
      await createPostgresPresenceTable(pool, { table });
      const store = createPostgresPresenceStore({ pool, table, timeoutMs: TIMEOUT_MS });
      await expectWorking(store);
      await holder.connect();
      await holder.query(`BEGIN; LOCK TABLE "${table}" IN ACCESS EXCLUSIVE MODE`);
      // Stuck, not refused: the outcome is unknown, which STORE_TIMEOUT says (and only it).
      await expectUnavailable(store, TIMEOUT_MS + SLACK_MS, ['STORE_TIMEOUT']);
      await holder.query('ROLLBACK');
      // The stuck statements finish or hit query_timeout; the store is usable again.
      await expectWorking(store);
    } finally {
      await holder.end().catch(() => undefined);
      await closePool(pool);
    }
  });
});
