/**
 * Outages on a real Redis: the server stopped, crashed, frozen or paused
 * mid-test. Every store call, and every pack mutation on top, rejects with
 * `STORE_UNAVAILABLE`, or `STORE_TIMEOUT` where the write may still land,
 * within the configured timeout (no hang, no unhandled rejection), and the
 * same store works again once the server is back.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPresenceHarness } from '../spec/harness.js';
import { createRedisPresenceStore } from '../src/stores/redis.js';
import { expectUnavailable, expectWorking, rowOf } from './servers/store-cases.js';
import { PresenceError } from '../src/errors.js';
import { waitFor } from './servers/process.js';
import { closeRedis, failFastRedisOptions, redisSkipReason, startRedis, startRedisCluster, type RedisClusterServers, type RedisServer } from './servers/redis.js';

const skip = redisSkipReason();
const TIMEOUT_MS = 800;
// Scheduling slack on a loaded CI machine; a hang would take far longer.
const SLACK_MS = 1_000;

describe.skipIf(skip !== undefined)(skip === undefined ? 'redis store outages' : `redis store outages (SKIPPED: ${skip})`, () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server?.dispose();
  });

  const reconnected = (client: Redis) => waitFor('ioredis to reconnect', async () => client.status === 'ready' && (await client.ping()) === 'PONG', 15_000);

  test('server stopped: fail-fast client rejects every call at once; restarted: the store works again', async () => {
    const client = new Redis(server.url, failFastRedisOptions);
    client.on('error', () => undefined);
    const store = createRedisPresenceStore({ redis: client, keyPrefix: 'fault1:', timeoutMs: TIMEOUT_MS });
    try {
      // Without an offline queue, a command sent before the connection is ready fails: wait for it.
      await reconnected(client);
      await expectWorking(store);
      await server.stop();
      await expectUnavailable(store, TIMEOUT_MS + SLACK_MS);
      const harness = createPresenceHarness({ config: { store } });
      await expect(harness.as({ userId: 'u1' }).heartbeat('room')).rejects.toMatchObject({ code: expect.stringMatching(/^STORE_(UNAVAILABLE|TIMEOUT)$/) });
      await expect(harness.as({ userId: 'u1' }).leave('room')).rejects.toMatchObject({ code: expect.stringMatching(/^STORE_(UNAVAILABLE|TIMEOUT)$/) });
      await expect(harness.members({ userId: 'u1' }, 'room')).rejects.toMatchObject({ code: expect.stringMatching(/^STORE_(UNAVAILABLE|TIMEOUT)$/) });
      await server.restart();
      await reconnected(client);
      // The restarted server has no scripts loaded: EVALSHA falls back to EVAL.
      await expectWorking(store);
      const member = await harness.as({ userId: 'u1' }).heartbeat('room');
      expect(member.actorId).toBe('u1');
      expect((await harness.members({ userId: 'u2' }, 'room')).map((row) => row.actorId)).toEqual(['u1']);
    } finally {
      await closeRedis(client);
    }
  });

  test('server crashed (SIGKILL) under a default client with an offline queue: calls time out at timeoutMs, then recover', async () => {
    const client = new Redis(server.url);
    client.on('error', () => undefined);
    const store = createRedisPresenceStore({ redis: client, keyPrefix: 'fault2:', timeoutMs: TIMEOUT_MS });
    try {
      await expectWorking(store);
      await server.kill();
      await expectUnavailable(store, TIMEOUT_MS + SLACK_MS);
      await server.restart();
      await reconnected(client);
      await expectWorking(store);
    } finally {
      await closeRedis(client);
    }
  });

  test('writes paused (CLIENT PAUSE WRITE): a heartbeat past its deadline is STORE_TIMEOUT, lands when the pause ends, and its retry reaches subscribers', async () => {
    const client = new Redis(server.url);
    const admin = new Redis(server.url);
    client.on('error', () => undefined);
    const store = createRedisPresenceStore({ redis: client, keyPrefix: 'pause:', timeoutMs: TIMEOUT_MS });
    const harness = createPresenceHarness({ config: { store } });
    try {
      const view = await harness.watch({ userId: 'watcher' }, 'room');
      await admin.call('CLIENT', 'PAUSE', String(TIMEOUT_MS + 1_500), 'WRITE');
      const failure = await harness.as({ userId: 'alice' }).heartbeat('room', { state: { v: 1 } }).then(() => undefined, (error: unknown) => error);
      expect(failure).toMatchObject({ code: 'STORE_TIMEOUT', message: expect.stringContaining('outcome unknown') });
      // What STORE_TIMEOUT warns of: the queued write lands after the deadline, and no diff announced it.
      await waitFor('the timed-out heartbeat to land', async () => (await store.rows()).some((row) => row.actorId === 'alice'), 15_000);
      expect(view.rows()).toEqual([]);
      // The documented recovery: retry; the retry is announced.
      const retried = await harness.as({ userId: 'alice' }).heartbeat('room', { state: { v: 1 } });
      expect(view.rows()).toEqual([retried]);
      expect(await store.rows()).toEqual([retried]);
    } finally {
      await admin.call('CLIENT', 'UNPAUSE').catch(() => undefined);
      await closeRedis(admin);
      await closeRedis(client);
    }
  });

  test('server frozen (SIGSTOP): calls time out at timeoutMs; thawed: the store works without a restart', async () => {
    const client = new Redis(server.url, failFastRedisOptions);
    client.on('error', () => undefined);
    const store = createRedisPresenceStore({ redis: client, keyPrefix: 'fault3:', timeoutMs: TIMEOUT_MS });
    await reconnected(client);
    const pid = Number((await client.info('server')).match(/process_id:(\d+)/)?.[1]);
    try {
      await expectWorking(store);
      process.kill(pid, 'SIGSTOP');
      // The server may apply the queued calls when it thaws: outcome unknown, so STORE_TIMEOUT.
      await expectUnavailable(store, TIMEOUT_MS + SLACK_MS, ['STORE_TIMEOUT']);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    try {
      await reconnected(client);
      // Calls that timed out were still queued on the socket; they drain first.
      await waitFor('the store to answer again', async () => (await store.rows()) !== undefined, 10_000);
      await expectWorking(store);
    } finally {
      await closeRedis(client);
    }
  });
});

describe.skipIf(skip !== undefined)(skip === undefined ? 'redis cluster store outages' : `redis cluster store outages (SKIPPED: ${skip})`, () => {
  let cluster: RedisClusterServers;
  beforeAll(async () => {
    cluster = await startRedisCluster();
  });
  afterAll(async () => {
    await cluster?.dispose();
  });

  test('a master stopped: calls reject with STORE_UNAVAILABLE in time; restarted: the same store works again', async () => {
    const client = cluster.connect({ enableOfflineQueue: false, redisOptions: { maxRetriesPerRequest: 1 }, clusterRetryStrategy: () => 100 });
    client.on('error', () => undefined);
    const store = createRedisPresenceStore({ redis: client, keyPrefix: 'cfault:', timeoutMs: TIMEOUT_MS });
    try {
      await waitFor('the cluster client to be ready', async () => client.status === 'ready' && (await client.ping()) === 'PONG', 15_000);
      await expectWorking(store);
      await cluster.stopNode(1);
      // Calls routed to the stopped master fail; sweep and rows() touch every shard, so they fail too.
      const rows = Array.from({ length: 40 }, (_, index) => rowOf({ scope: 'x', channel: `c${index}`, actorId: 'a', sessionId: '' }, 1, 2));
      const outcomes = await Promise.all(rows.map((row) => Promise.resolve(store.upsert(row)).then(() => 'ok', (error: unknown) => error)));
      const failures = outcomes.filter((outcome) => outcome !== 'ok');
      expect(failures.length).toBeGreaterThan(0);
      for (const failure of failures) expect(['STORE_UNAVAILABLE', 'STORE_TIMEOUT']).toContain((failure as PresenceError).code);
      const started = performance.now();
      await expect(store.sweep(10)).rejects.toMatchObject({ code: expect.stringMatching(/^STORE_(UNAVAILABLE|TIMEOUT)$/) });
      await expect(store.rows()).rejects.toMatchObject({ code: expect.stringMatching(/^STORE_(UNAVAILABLE|TIMEOUT)$/) });
      expect(performance.now() - started).toBeLessThan(2 * (TIMEOUT_MS + SLACK_MS));
      await cluster.restartNode(1);
      await waitFor('the store to work through the cluster again', async () => (await store.rows()) !== undefined, 20_000);
      await expectWorking(store);
    } finally {
      await closeRedis(client);
    }
  });
});
