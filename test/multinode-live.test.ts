/**
 * Live subscriptions across engine nodes in separate processes: each node
 * runs the reference engine with the pack on a shared store and joins the
 * cluster over the store server's own bus (Redis store + Redis pub/sub,
 * PostgreSQL store + LISTEN/NOTIFY). A subscriber on one node sees what
 * another node commits; concurrent cleanups leave every view at the live
 * set; a node killed with SIGKILL leaves no member on any view once its
 * rows' TTL and one cleanup have passed. TTLs run on the clock the test
 * sends; only bus delivery is real time, awaited as a condition with a
 * deadline.
 */
import { describe, expect, test } from 'vitest';
import type { PresenceRow } from '../src/row.js';
import { createPostgresPresenceTable } from '../src/stores/postgres.js';
import { nodeGroup, type EngineNode, type NodeBackend } from './nodes/driver.js';
import { waitFor } from './servers/process.js';
import { closePool, openPool, postgresSkipReason, startPostgres, type PostgresServer } from './servers/postgres.js';
import { redisSkipReason, startRedis, type RedisServer } from './servers/redis.js';

const TTL_MS = 30_000;
// Delivery between processes under a loaded CI machine: generous, and only ever the upper bound.
const DELIVERY_MS = 20_000;
let namespaces = 0;

/** What a node's subscriber holds: `view` in presence-node.mjs. */
interface View {
  members: PresenceRow[];
  diffs: { added: string[]; changed: { actorId: string; state: Record<string, unknown> }[]; removed: string[] }[];
}

const actors = (rows: PresenceRow[]) => rows.map((row) => row.actorId).sort();

const suite = (label: string, skip: string | undefined, setup: () => Promise<{ backend: () => Promise<NodeBackend>; dispose: () => Promise<void> }>) =>
  describe.skipIf(skip !== undefined)(skip === undefined ? label : `${label} (SKIPPED: ${skip})`, () => {
    const { fresh: backend, spawn, setClock } = nodeGroup(setup);
    const fresh = () => backend()();
    const view = (node: EngineNode, id: number) => node.call<View>('view', { id });
    /** Waits until the subscriber's view satisfies `done`; returns that view. */
    const until = async (node: EngineNode, id: number, what: string, done: (seen: View) => boolean): Promise<View> => {
      let seen: View | undefined;
      await waitFor(what, async () => done((seen = await view(node, id))), DELIVERY_MS);
      return seen!;
    };
    /** The store's live set as a fresh hydrate on `node` sees it. */
    const liveSet = async (node: EngineNode, channel: string) => actors(await node.call<PresenceRow[]>('hydrate', { userId: 'x', channel }));

    test("a subscriber on node B gets A's heartbeat as added, A's cursor as changed, A's leave and A's cleanup as removed", async () => {
      const [a, b] = (await spawn(await fresh(), 2)) as [EngineNode, EngineNode];
      await setClock([a, b], 1_000);
      const sub = await b.call<number>('subscribe', { userId: 'bob', channel: 'room' });
      await a.call('heartbeat', { userId: 'ada', channel: 'room', state: { name: 'Ada' } });
      await until(b, sub, "A's heartbeat on B", (seen) => seen.diffs.length === 1);
      await a.call('cursor', { userId: 'ada', channel: 'room', cursor: { x: 3, y: 4 } });
      await until(b, sub, "A's cursor on B", (seen) => seen.diffs.length === 2);
      await a.call('leave', { userId: 'ada', channel: 'room' });
      await until(b, sub, "A's leave on B", (seen) => seen.diffs.length === 3);
      await a.call('heartbeat', { userId: 'cy', channel: 'room' });
      await until(b, sub, "A's second heartbeat on B", (seen) => seen.diffs.length === 4);
      await setClock([a, b], 1_000 + TTL_MS);
      expect(await a.call<string[]>('cleanup')).toHaveLength(1);
      const seen = await until(b, sub, "A's cleanup on B", (current) => current.diffs.length === 5);
      expect(seen.diffs).toEqual([
        { added: ['ada'], changed: [], removed: [] },
        { added: [], changed: [{ actorId: 'ada', state: { name: 'Ada', cursor: { x: 3, y: 4 } } }], removed: [] },
        { added: [], changed: [], removed: ['ada'] },
        { added: ['cy'], changed: [], removed: [] },
        { added: [], changed: [], removed: ['cy'] },
      ]);
      expect(seen.members).toEqual([]);
    });

    test('three nodes running cleanup at once leave every view with exactly the live set', async () => {
      const group = (await spawn(await fresh(), 3)) as [EngineNode, EngineNode, EngineNode];
      const users = (from: number, count: number) => Array.from({ length: count }, (_, index) => `u${String(from + index).padStart(2, '0')}`);
      await setClock(group, 0);
      const subs = await Promise.all(group.map((node, index) => node.call<number>('subscribe', { userId: `watcher${index}`, channel: 'room' })));
      // 60 members joined through the three nodes; 20 renew later, on node B.
      await Promise.all(group.map((node, index) => node.call('heartbeats', { users: users(index * 20, 20), channel: 'room' })));
      await Promise.all(group.map((node, index) => until(node, subs[index]!, '60 members on every view', (seen) => seen.members.length === 60)));
      await setClock(group, 90_000);
      await group[1].call('heartbeats', { users: users(0, 20), channel: 'room' });
      await setClock(group, 100_000);
      const swept = (await Promise.all(group.map((node) => node.call<string[]>('cleanup')))).flat();
      // Each expired row is swept by exactly one node.
      expect(swept).toHaveLength(40);
      const live = await liveSet(group[0], 'room');
      expect(live).toEqual(users(0, 20));
      for (const [index, node] of group.entries()) {
        const seen = await until(node, subs[index]!, `the live set on node ${index}`, (current) => actors(current.members).join() === live.join());
        // Every expired member left this view exactly once.
        expect(seen.diffs.flatMap((diff) => diff.removed).sort()).toEqual(users(20, 40));
      }
    });

    test("a node killed with SIGKILL leaves no member on any other node's view once its rows' TTL and one cleanup have passed", async () => {
      const backend = await fresh();
      const [survivor, watcher, doomed] = (await spawn(backend, 3)) as [EngineNode, EngineNode, EngineNode];
      const everyone = [survivor, watcher, doomed];
      await setClock(everyone, 5_000);
      const subs = [await survivor.call<number>('subscribe', { userId: 's', channel: 'room' }), await watcher.call<number>('subscribe', { userId: 'w', channel: 'room' })];
      await survivor.call('heartbeat', { userId: 'stays', channel: 'room' });
      await doomed.call('heartbeat', { userId: 'ghost', channel: 'room', state: { typing: true } });
      const watching = [survivor, watcher];
      await Promise.all(watching.map((node, index) => until(node, subs[index]!, 'ghost on the view', (seen) => actors(seen.members).includes('ghost'))));
      // A burst in flight when the process dies: some of it stored, some published, some neither.
      const burst = doomed.call('heartbeats', { users: Array.from({ length: 200 }, (_, index) => `burst${index}`), channel: 'room' }).catch(() => 'killed');
      await doomed.kill();
      await burst;
      await setClock(watching, 5_000 + TTL_MS - 1);
      await survivor.call('heartbeat', { userId: 'stays', channel: 'room' });
      // The dead node's TTL has passed; one cleanup runs, on the survivor.
      await setClock(watching, 5_000 + TTL_MS);
      await survivor.call('cleanup');
      for (const [index, node] of watching.entries()) {
        await until(node, subs[index]!, `only the survivor's member on view ${index}`, (seen) => actors(seen.members).join() === 'stays');
      }
      expect(await liveSet(watcher, 'room')).toEqual(['stays']);
    });
  });

suite('live views across nodes: Redis store + Redis pub/sub bus', redisSkipReason(), async () => {
  const server: RedisServer | undefined = process.env.PRESENCE_REDIS_URL === undefined ? await startRedis() : undefined;
  const url = process.env.PRESENCE_REDIS_URL ?? server!.url;
  return {
    backend: async () => {
      const namespace = `live${process.pid}-${(namespaces += 1)}`;
      return { backend: 'redis', url, keyPrefix: `${namespace}:`, bus: { channel: `${namespace}:cluster` } };
    },
    dispose: async () => server?.dispose(),
  };
});

suite('live views across nodes: PostgreSQL store + LISTEN/NOTIFY bus', postgresSkipReason(), async () => {
  const server: PostgresServer | undefined = process.env.PRESENCE_PG_URL === undefined ? await startPostgres() : undefined;
  const url = process.env.PRESENCE_PG_URL ?? server!.url;
  const pool = openPool({ connectionString: url });
  const tables: string[] = [];
  return {
    backend: async () => {
      const table = `live_${process.pid}_${(namespaces += 1)}`;
      tables.push(table);
      await createPostgresPresenceTable(pool, { table });
      return { backend: 'postgres', url, table, bus: { channel: `${table}_cluster` } };
    },
    dispose: async () => {
      for (const table of tables) await pool.query(`DROP TABLE IF EXISTS "${table}"`);
      await closePool(pool);
      await server?.dispose();
    },
  };
});
