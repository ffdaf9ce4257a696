/**
 * Several engine nodes in separate Node processes share one Redis (standalone
 * and Cluster) or one PostgreSQL: a heartbeat on one node is in another's
 * hydrate, nodes sweeping at once remove each expired row exactly once and
 * never a renewed one, and a node killed mid-run leaves no ghost once its
 * rows' TTL passes. Every clock value is sent by the test; nothing sleeps.
 */
import { describe, expect, test } from 'vitest';
import type { PresenceRow } from '../src/row.js';
import { createPostgresPresenceTable } from '../src/stores/postgres.js';
import { nodeGroup, type EngineNode, type NodeBackend } from './nodes/driver.js';
import { closePool, openPool, postgresSkipReason, startPostgres, type PostgresServer } from './servers/postgres.js';
import { redisSkipReason, startRedis, startRedisCluster, type RedisClusterServers, type RedisServer } from './servers/redis.js';

const TTL_MS = 30_000;
let namespaces = 0;

const suite = (label: string, skip: string | undefined, setup: () => Promise<{ backend: () => NodeBackend; dispose: () => Promise<void> }>) =>
  describe.skipIf(skip !== undefined)(skip === undefined ? label : `${label} (SKIPPED: ${skip})`, () => {
    const { fresh: backend, spawn, setClock } = nodeGroup(setup);
    const fresh = () => backend()();
    const actors = (rows: PresenceRow[]) => rows.map((row) => row.actorId).sort();

    test('a heartbeat on node A is in node B hydrate; a leave on B is gone from A', async () => {
      const [a, b] = await spawn(fresh(), 2);
      await setClock([a!, b!], 1_000);
      await a!.call('heartbeat', { userId: 'ada', channel: 'room', state: { cursor: { x: 1, y: 2 } } });
      const seen = await b!.call<PresenceRow[]>('hydrate', { userId: 'bob', channel: 'room' });
      expect(seen.map((row) => [row.actorId, row.state])).toEqual([['ada', { cursor: { x: 1, y: 2 } }]]);
      await b!.call('heartbeat', { userId: 'bob', channel: 'room' });
      expect(actors(await a!.call<PresenceRow[]>('hydrate', { userId: 'ada', channel: 'room' }))).toEqual(['ada', 'bob']);
      await b!.call('leave', { userId: 'ada', channel: 'room' });
      expect(actors(await a!.call<PresenceRow[]>('hydrate', { userId: 'ada', channel: 'room' }))).toEqual(['bob']);
    });

    test('nodes sweeping at once remove each expired row exactly once, never a renewed one', async () => {
      const group = await spawn(fresh(), 3);
      const [a, b, c] = group as [EngineNode, EngineNode, EngineNode];
      const users = (from: number, count: number) => Array.from({ length: count }, (_, index) => `u${from + index}`);
      await setClock(group, 0);
      const channels = ['alpha', 'beta', 'gamma', 'delta'];
      // 4 channels x 150 actors, all expiring at TTL_MS.
      await Promise.all(channels.map((channel, index) => group[index % 3]!.call('heartbeats', { users: users(0, 150), channel })));
      // Renewed before the sweep: u0..u29 on every channel, now expiring at 90 000 + TTL.
      await setClock(group, 90_000);
      await Promise.all(channels.map((channel) => b.call('heartbeats', { users: users(0, 30), channel })));
      await setClock(group, 100_000);
      // Three nodes run cleanup at once while u30..u39 renew concurrently on node C.
      const [sweptA, sweptB, sweptC] = await Promise.all([
        a.call<string[]>('cleanup'),
        b.call<string[]>('cleanup'),
        c.call<string[]>('cleanup'),
        ...channels.map((channel) => c.call('heartbeats', { users: users(30, 10), channel })),
      ]);
      const swept = [...sweptA!, ...sweptB!, ...sweptC!];
      expect(new Set(swept).size).toBe(swept.length);
      const sweptActors = swept.map((id) => (JSON.parse(id) as string[])[2]!);
      // u40..u149 were expired and untouched: each taken by exactly one node.
      for (const channel of channels) {
        const taken = swept.filter((id) => (JSON.parse(id) as string[])[1] === channel).map((id) => (JSON.parse(id) as string[])[2]!);
        for (const user of users(40, 110)) expect(taken.filter((actor) => actor === user)).toHaveLength(1);
      }
      // Renewed first: never swept.
      expect(sweptActors.filter((actor) => users(0, 30).includes(actor))).toEqual([]);
      // What is left: the 30 renewed and the 10 racing renewals (re-inserted if a sweep won), all live.
      const members = await a.call<PresenceRow[]>('hydrate', { userId: 'x', channel: 'alpha' });
      expect(actors(members)).toEqual(users(0, 40).sort());
      const rows = await a.call<PresenceRow[]>('rows');
      expect(rows.every((row) => row.expiresAt > 100_000)).toBe(true);
      expect(await Promise.all(group.map((node) => node.call<string[]>('cleanup')))).toEqual([[], [], []]);
    });

    test('a node killed mid-run (SIGKILL) leaves no ghost once its TTL has passed', async () => {
      const backend = fresh();
      const [survivor, doomed] = await spawn(backend, 2);
      await setClock([survivor!, doomed!], 5_000);
      await survivor!.call('heartbeat', { userId: 'stays', channel: 'room' });
      await doomed!.call('heartbeat', { userId: 'ghost', channel: 'room', state: { typing: true } });
      // A burst still in flight when the process dies.
      const burst = doomed!.call('heartbeats', { users: Array.from({ length: 200 }, (_, index) => `burst${index}`), channel: 'room' }).catch(() => 'killed');
      await doomed!.kill();
      expect(await burst).toBeDefined();
      const visible = actors(await survivor!.call<PresenceRow[]>('hydrate', { userId: 'x', channel: 'room' }));
      expect(visible).toContain('ghost');
      // The survivor renews its own actor; the dead node cannot.
      await setClock([survivor!], 5_000 + TTL_MS - 1);
      await survivor!.call('heartbeat', { userId: 'stays', channel: 'room' });
      // Past the dead node's TTL: invisible at once (liveness is time), then swept.
      await setClock([survivor!], 5_000 + TTL_MS);
      expect(actors(await survivor!.call<PresenceRow[]>('hydrate', { userId: 'x', channel: 'room' }))).toEqual(['stays']);
      const swept = await survivor!.call<string[]>('cleanup');
      expect(swept.map((id) => (JSON.parse(id) as string[])[2])).toContain('ghost');
      const rows = await survivor!.call<PresenceRow[]>('rows');
      expect(actors(rows)).toEqual(['stays']);
      // A fresh node joining later sees no ghost either.
      const [late] = await spawn(backend, 1);
      await setClock([late!], 5_000 + TTL_MS);
      expect(actors(await late!.call<PresenceRow[]>('hydrate', { userId: 'y', channel: 'room' }))).toEqual(['stays']);
    });
  });

suite('multi-node on one Redis', redisSkipReason(), async () => {
  const server: RedisServer | undefined = process.env.PRESENCE_REDIS_URL === undefined ? await startRedis() : undefined;
  const url = process.env.PRESENCE_REDIS_URL ?? server!.url;
  return {
    backend: () => ({ backend: 'redis', url, keyPrefix: `mn${process.pid}-${(namespaces += 1)}:` }),
    dispose: async () => server?.dispose(),
  };
});

suite('multi-node on one Redis Cluster', redisSkipReason(), async () => {
  const cluster: RedisClusterServers = await startRedisCluster();
  return {
    backend: () => ({ backend: 'cluster', ports: cluster.ports, keyPrefix: `mnc${process.pid}-${(namespaces += 1)}:` }),
    dispose: () => cluster.dispose(),
  };
});

suite('multi-node on one PostgreSQL', postgresSkipReason(), async () => {
  const server: PostgresServer | undefined = process.env.PRESENCE_PG_URL === undefined ? await startPostgres() : undefined;
  const url = process.env.PRESENCE_PG_URL ?? server!.url;
  const pool = openPool({ connectionString: url });
  const tables: string[] = [];
  for (let index = 0; index < 3; index += 1) {
    tables.push(`multinode_${process.pid}_${index}`);
    await createPostgresPresenceTable(pool, { table: tables[index] });
  }
  let used = 0;
  return {
    backend: () => ({ backend: 'postgres', url, table: tables[used++ % tables.length]! }),
    dispose: async () => {
      for (const table of tables) await pool.query(`DROP TABLE IF EXISTS "${table}"`);
      await closePool(pool);
      await server?.dispose();
    },
  };
});
