// One engine node for the multi-node tests: the reference engine with the
// presence pack on a shared Redis or PostgreSQL store, driven over IPC by the
// test process. Plain ESM on the built package (dist/, made by the vitest
// global setup), so it runs under bare Node without a TypeScript loader.
//
// argv[2]: JSON { backend: 'redis' | 'cluster' | 'postgres', url?, ports?, keyPrefix?, table?, bus? }
// With `bus: { channel }` (redis and postgres), the engine joins the cluster
// over the reference bus of its store's server (examples/buses), and live
// subscriptions opened here see every node's commits.
// The clock is injected: the parent sends every `now`; nothing here reads a real clock for TTLs.
import { Cluster, Redis } from 'ioredis';
import pg from 'pg';
import { createPresencePack, presenceNames } from '../../dist/src/index.js';
import { createRedisPresenceStore } from '../../dist/src/stores/redis.js';
import { createPostgresPresenceStore } from '../../dist/src/stores/postgres.js';
import { createReferenceEngine } from '../../dist/spec/engine.js';
import { createPostgresClusterBus } from '../../dist/examples/buses/pg-bus.js';
import { createRedisClusterBus } from '../../dist/examples/buses/redis-bus.js';

const config = JSON.parse(process.argv[2] ?? '{}');
let now = 0;
const clock = () => now;

const connect = () => {
  if (config.backend === 'postgres') {
    const pool = new pg.Pool({ connectionString: config.url, max: 8 });
    const bus = config.bus && createPostgresClusterBus({ pool, channel: config.bus.channel, onError: () => undefined });
    return { store: createPostgresPresenceStore({ pool, table: config.table }), bus, close: () => pool.end() };
  }
  const client =
    config.backend === 'cluster'
      ? new Cluster(config.ports.map((port) => ({ host: '127.0.0.1', port })))
      : new Redis(config.url);
  client.on('error', () => undefined);
  const bus = config.bus && createRedisClusterBus({ redis: client, channel: config.bus.channel, onError: () => undefined });
  return { store: createRedisPresenceStore({ redis: client, keyPrefix: config.keyPrefix }), bus, close: async () => client.disconnect() };
};

const { store: shared, bus, close } = connect();
// Records what this node's sweeps removed, so the parent can count each row across nodes.
let swept = [];
const store = {
  ...shared,
  get: (id) => shared.get(id),
  upsert: (row) => shared.upsert(row),
  update: (row) => shared.update(row),
  remove: (id) => shared.remove(id),
  channel: (scope, channel, at) => shared.channel(scope, channel, at),
  rows: () => shared.rows(),
  sweep: async (at, limit) => {
    const removed = await shared.sweep(at, limit);
    swept.push(...removed.map((row) => row.id));
    return removed;
  },
};

const names = presenceNames('');
const engine = createReferenceEngine({ instanceId: `node-${process.pid}`, now: clock, sleep: async () => undefined });
engine.registerPack(createPresencePack({ store, now: clock, heartbeatTtlSec: 30, cleanupBatchSize: 100_000 }));
const disconnect = bus === undefined ? async () => undefined : await engine.connectCluster(bus);

// Live subscriptions of this node: each keeps its view (row id -> row) and every diff it got.
const views = new Map();
const actorsOf = (rows) => rows.map((row) => row.actorId).sort();
const subscribe = async ({ userId, channel }) => {
  const id = views.size + 1;
  const view = { members: new Map(), diffs: [] };
  views.set(id, view);
  const subscription = await engine.subscribe({
    collection: names.collection,
    params: { channel },
    ctx: { userId },
    onDiff: (diff) => {
      for (const row of diff.removed) view.members.delete(row.id);
      for (const row of [...diff.added, ...diff.changed]) view.members.set(row.id, row);
      view.diffs.push({ added: actorsOf(diff.added), changed: diff.changed.map((row) => ({ actorId: row.actorId, state: row.state })), removed: actorsOf(diff.removed) });
    },
  });
  for (const row of subscription.initial) view.members.set(row.id, row);
  return id;
};

const ops = {
  clock: ({ at }) => {
    now = at;
    return now;
  },
  heartbeat: ({ userId, channel, state, session }) => engine.runMutation(names.heartbeat, { channel, state, session }, { userId }),
  heartbeats: async ({ users, channel, state }) => {
    await Promise.all(users.map((userId) => engine.runMutation(names.heartbeat, { channel, state }, { userId })));
    return users.length;
  },
  leave: ({ userId, channel }) => engine.runMutation(names.leave, { channel }, { userId }),
  hydrate: ({ userId, channel }) => engine.hydrate(names.collection, { channel }, { userId }),
  cleanup: async () => {
    swept = [];
    await engine.runSchedule(names.cleanup);
    return swept;
  },
  cursor: ({ userId, channel, cursor }) => engine.runMutation(names.cursor, { channel, cursor }, { userId }),
  subscribe,
  // What a subscriber here sees: its members (sorted by actor) and the diffs that got it there.
  view: ({ id }) => {
    const view = views.get(id);
    return { members: [...view.members.values()].sort((a, b) => (a.id < b.id ? -1 : 1)), diffs: view.diffs };
  },
  rows: () => shared.rows(),
  pid: () => process.pid,
};

process.on('message', async (message) => {
  const { id, op, args } = message;
  try {
    const value = await ops[op](args ?? {});
    process.send({ id, ok: true, value });
  } catch (error) {
    process.send({ id, ok: false, error: { name: error?.name, code: error?.code, message: String(error?.message ?? error) } });
  }
});
process.on('disconnect', () => {
  disconnect()
    .then(() => bus?.close())
    .then(() => close())
    .finally(() => process.exit(0));
});
process.send({ ready: true });
