/**
 * Heartbeat-to-diff latency across engine nodes: from `runMutation` of a
 * heartbeat on node A to the `onDiff` that carries it on a subscriber of
 * node B, over each reference bus on loopback (examples/buses), beside the
 * same path on one node (no bus) and over the in-memory bus, in the same
 * run. Both nodes live in this process with their own connections, so the
 * hop really crosses the server (Redis pub/sub, PostgreSQL NOTIFY).
 *
 * ```sh
 * eval "$(.ci/servers.sh start)"      # PRESENCE_REDIS_URL, PRESENCE_PG_URL; a bus without one is SKIPPED
 * npm run bench                       # or: npx tsc -p tsconfig.bench.json && node dist/bench/cluster-latency.js
 * ```
 *
 * `BENCH_LATENCY_SAMPLES` (default 1000) heartbeats are timed one at a time
 * after 100 untimed ones.
 *
 * @module
 */
import { Redis } from 'ioredis';
import pg from 'pg';
import type { ClosableClusterBus } from '../examples/buses/closable-bus.js';
import { createPostgresClusterBus } from '../examples/buses/pg-bus.js';
import { createRedisClusterBus } from '../examples/buses/redis-bus.js';
import { createInMemoryClusterBus, createReferenceEngine, type ClusterBus, type ReferenceEngine } from '../spec/engine.js';
import { createPresencePack } from '../src/pack.js';
import { presenceNames } from '../src/names.js';
import type { PresenceRow } from '../src/row.js';
import type { PresenceStore } from '../src/store.js';
import { createMemoryPresenceStore } from '../src/stores/memory.js';
import { createPostgresPresenceStore, createPostgresPresenceTable } from '../src/stores/postgres.js';
import { createRedisPresenceStore } from '../src/stores/redis.js';

const SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 1_000);
const WARMUP = 100;
const names = presenceNames('');

/** One store technology, with how each node gets a bus on it. */
interface Backend {
  name: string;
  /** The store every node shares. */
  store: PresenceStore;
  /** A bus as one node would open it. */
  bus(): ClusterBus;
  close(): Promise<void>;
}

const node = async (store: PresenceStore, bus?: ClusterBus): Promise<ReferenceEngine> => {
  const engine = createReferenceEngine();
  engine.registerPack(createPresencePack({ store }));
  if (bus !== undefined) await engine.connectCluster(bus);
  return engine;
};

/** Heartbeats on `writer` timed to the diff on a subscriber of `reader`; milliseconds, sorted. */
const latencies = async (writer: ReferenceEngine, reader: ReferenceEngine): Promise<number[]> => {
  let waiting: { sequence: number; arrived: () => void } | undefined;
  const channel = `bench-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const subscription = await reader.subscribe({
    collection: names.collection,
    params: { channel },
    ctx: { userId: 'reader' },
    onDiff: (diff) => {
      for (const row of [...diff.added, ...diff.changed] as PresenceRow[]) {
        if (waiting !== undefined && (row.state as { sequence?: number }).sequence === waiting.sequence) waiting.arrived();
      }
    },
  });
  const times: number[] = [];
  for (let sequence = 0; sequence < WARMUP + SAMPLES; sequence += 1) {
    const arrived = new Promise<void>((resolve) => (waiting = { sequence, arrived: resolve }));
    const started = performance.now();
    await writer.runMutation(names.heartbeat, { channel, state: { sequence } }, { userId: `writer-${sequence % 20}` });
    await arrived;
    if (sequence >= WARMUP) times.push(performance.now() - started);
  }
  subscription.unsubscribe();
  return times.sort((a, b) => a - b);
};

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const ms = (value: number) => `${value.toFixed(2)} ms`;

const backends = async (): Promise<{ list: Backend[]; skipped: string[] }> => {
  const inMemory = createInMemoryClusterBus();
  const list: Backend[] = [{ name: 'memory store, in-memory bus', store: createMemoryPresenceStore(), bus: () => inMemory, close: async () => undefined }];
  const skipped: string[] = [];
  const redisUrl = process.env.PRESENCE_REDIS_URL;
  if (redisUrl === undefined) skipped.push('Redis pub/sub bus: set PRESENCE_REDIS_URL (eval "$(.ci/servers.sh start)")');
  else {
    const clients: Redis[] = [];
    const buses: ClosableClusterBus[] = [];
    const connection = () => {
      const client = new Redis(redisUrl);
      clients.push(client);
      return client;
    };
    const channel = `bench${process.pid}:cluster`;
    list.push({
      name: 'Redis store, Redis pub/sub bus',
      store: createRedisPresenceStore({ redis: connection(), keyPrefix: `bench${process.pid}:` }),
      bus: () => {
        const bus = createRedisClusterBus({ redis: connection(), channel });
        buses.push(bus);
        return bus;
      },
      close: async () => {
        await Promise.all(buses.map((bus) => bus.close()));
        for (const client of clients) client.disconnect();
      },
    });
  }
  const pgUrl = process.env.PRESENCE_PG_URL;
  if (pgUrl === undefined) skipped.push('PostgreSQL LISTEN/NOTIFY bus: set PRESENCE_PG_URL (eval "$(.ci/servers.sh start)")');
  else {
    const pools: pg.Pool[] = [];
    const buses: ClosableClusterBus[] = [];
    const pool = () => {
      const made = new pg.Pool({ connectionString: pgUrl, max: 4 });
      pools.push(made);
      return made;
    };
    const table = `presence_latency_${process.pid}`;
    const storePool = pool();
    await createPostgresPresenceTable(storePool, { table });
    list.push({
      name: 'PostgreSQL store, LISTEN/NOTIFY bus',
      store: createPostgresPresenceStore({ pool: storePool, table }),
      bus: () => {
        const bus = createPostgresClusterBus({ pool: pool(), channel: `${table}_cluster` });
        buses.push(bus);
        return bus;
      },
      close: async () => {
        await Promise.all(buses.map((bus) => bus.close()));
        await storePool.query(`DROP TABLE "${table}"`);
        await Promise.all(pools.map((made) => made.end()));
      },
    });
  }
  return { list, skipped };
};

const main = async () => {
  const { list, skipped } = await backends();
  for (const reason of skipped) console.error(`SKIPPED ${reason}`);
  const lines = [
    `Heartbeat on node A to diff on a subscriber (${SAMPLES} samples each, one at a time)`,
    '',
    '| store and bus | same node p50 | same node p99 | A to B p50 | A to B p99 | A to B mean |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const backend of list) {
    try {
      const single = await node(backend.store);
      const local = await latencies(single, single);
      const [a, b] = [await node(backend.store, backend.bus()), await node(backend.store, backend.bus())];
      const remote = await latencies(a, b);
      const mean = remote.reduce((sum, value) => sum + value, 0) / remote.length;
      lines.push(`| ${backend.name} | ${ms(percentile(local, 50))} | ${ms(percentile(local, 99))} | ${ms(percentile(remote, 50))} | ${ms(percentile(remote, 99))} | ${ms(mean)} |`);
    } finally {
      await backend.close();
    }
  }
  console.log(lines.join('\n'));
};

await main();
