/**
 * The test servers' own teardown: a suite that stops its PostgreSQL or Redis
 * must not leave a connection that is still closing, or one whose error has
 * no listener. Either surfaces as an unhandled error after every test passed
 * (PostgreSQL's `57P01`, "terminating connection due to administrator
 * command", from a pool client that was already ending).
 */
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { waitFor } from './servers/process.js';
import { closePool, openPool, postgresSkipReason, startPostgres, type PostgresServer } from './servers/postgres.js';
import { closeRedis, redisSkipReason, startRedis, type RedisServer } from './servers/redis.js';

const pgSkip = postgresSkipReason();
const redisSkip = redisSkipReason();

describe.skipIf(pgSkip !== undefined)(pgSkip === undefined ? 'postgres test server teardown' : `postgres test server teardown (SKIPPED: ${pgSkip})`, () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.dispose();
  });

  /** Opens `count` connections at once, so the pool holds that many idle ones. */
  const fill = async (pool: pg.Pool, count: number) => {
    const clients = await Promise.all(Array.from({ length: count }, () => pool.connect()));
    for (const client of clients) client.release();
  };
  /** Counts the server's connections tagged `tag`, through a connection opened beforehand (no connect delay). */
  const withProbe = async (run: (backendsOf: (tag: string) => Promise<number>) => Promise<void>) => {
    const probe = new pg.Client({ connectionString: server.url });
    probe.on('error', () => undefined);
    await probe.connect();
    try {
      await run(async (tag) => {
        const result = await probe.query<{ count: string }>('SELECT count(*) FROM pg_stat_activity WHERE application_name = $1', [tag]);
        return Number(result.rows[0]!.count);
      });
    } finally {
      await probe.end();
    }
  };

  test('closePool resolves only once the server has no connection of the pool left', async () => {
    await withProbe(async (backendsOf) => {
      for (let round = 0; round < 5; round += 1) {
        const tag = `close-${round}`;
        const pool = openPool({ connectionString: server.url, application_name: tag, max: 6 });
        await fill(pool, 6);
        expect(await backendsOf(tag)).toBe(6);
        await closePool(pool);
        // pg.Pool#end alone resolves while the sockets are still closing: the server still lists them.
        expect(await backendsOf(tag)).toBe(0);
      }
    });
  });

  test('a server stopped under an open pool drops its idle connections without an unhandled error; the pool works after a restart', async () => {
    // No listener of the test's own: an idle connection's 57P01 with no listener would fail the run as an unhandled error.
    const pool = openPool({ connectionString: server.url, max: 4 });
    try {
      await fill(pool, 4);
      await server.stop();
      await waitFor('every idle connection to be dropped', async () => pool.idleCount === 0 && pool.totalCount === 0, 10_000);
    } finally {
      await server.restart();
    }
    try {
      expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await closePool(pool);
    }
  });

  test('a server stopped right after closePool sees no connection of it', async () => {
    const pool = openPool({ connectionString: server.url, max: 8 });
    const errors: unknown[] = [];
    pool.on('error', (error) => errors.push(error));
    await fill(pool, 8);
    await closePool(pool);
    await server.stop();
    await server.restart();
    expect(errors).toEqual([]);
  });
});

describe.skipIf(redisSkip !== undefined)(redisSkip === undefined ? 'redis test server teardown' : `redis test server teardown (SKIPPED: ${redisSkip})`, () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server?.dispose();
  });

  const connectedClients = async (): Promise<number> => {
    const probe = new Redis(server.url);
    try {
      return Number((await probe.info('clients')).match(/connected_clients:(\d+)/)?.[1]) - 1;
    } finally {
      await closeRedis(probe);
    }
  };

  test('closeRedis resolves once the client socket is closed; the server then drops it', async () => {
    const clients = Array.from({ length: 5 }, () => new Redis(server.url));
    await Promise.all(clients.map((client) => client.ping()));
    expect(await connectedClients()).toBe(5);
    await Promise.all(clients.map(closeRedis));
    expect(clients.map((client) => client.status)).toEqual(Array(5).fill('end'));
    await waitFor('the server to drop the closed connections', async () => (await connectedClients()) === 0, 5_000);
  });

  test('closeRedis on a client that is reconnecting to a stopped server returns at once', async () => {
    const client = new Redis(server.url, { retryStrategy: () => 50 });
    client.on('error', () => undefined);
    await client.ping();
    await server.stop();
    try {
      await waitFor('the client to notice the outage', async () => client.status === 'reconnecting' || client.status === 'connecting', 5_000);
      await closeRedis(client);
      expect(client.status).not.toBe('ready');
    } finally {
      await server.restart();
    }
  });
});
