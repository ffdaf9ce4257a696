/**
 * Store throughput on loopback: heartbeats per second (`store.upsert` of a
 * refreshed row) one at a time and with 64 in flight, and the time to sweep
 * 10 000 expired rows among 100 000. Prints a table.
 *
 * Build, start servers, run:
 *
 * ```sh
 * npx tsc -p tsconfig.build.json          # with bench/ in its include
 * eval "$(.ci/servers.sh start)"          # PRESENCE_REDIS_URL, PRESENCE_PG_URL
 * node dist/bench/stores.js               # PRESENCE_REDIS_CLUSTER=host:port,... adds a Cluster row
 * ```
 *
 * @module
 */
import { Cluster, Redis } from 'ioredis';
import pg from 'pg';
import { presenceRowId, type PresenceRow } from '../src/row.js';
import type { PresenceStore } from '../src/store.js';
import { createMemoryPresenceStore } from '../src/stores/memory.js';
import { createPostgresPresenceStore, createPostgresPresenceTable } from '../src/stores/postgres.js';
import { createRedisPresenceStore } from '../src/stores/redis.js';

const HEARTBEATS = Number(process.env.BENCH_HEARTBEATS ?? 20_000);
const IN_FLIGHT = 64;
const TOTAL_ROWS = 100_000;
const EXPIRED_ROWS = 10_000;
const MEMBERS = 1_000;

/** A store under test and how to let go of it. */
interface Subject {
  name: string;
  store: PresenceStore;
  close: () => Promise<void>;
}

const row = (index: number, heartbeatAt: number, ttl: number): PresenceRow => {
  const identity = { scope: 'bench', channel: `room-${index % 100}`, actorId: `user-${index}`, sessionId: '' };
  return { id: presenceRowId(identity), ...identity, state: { name: `User ${index}`, cursor: { x: index % 800, y: index % 600 } }, heartbeatAt, expiresAt: heartbeatAt + ttl };
};

/** Runs `count` tasks with at most `width` in flight; returns ops per second. */
const throughput = async (count: number, width: number, task: (index: number) => Promise<unknown> | unknown): Promise<number> => {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(width, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
  return count / ((performance.now() - started) / 1_000);
};

const measure = async ({ store }: Subject) => {
  // Members exist first: a heartbeat here is a renewal, the hot path.
  await throughput(MEMBERS, IN_FLIGHT, (index) => store.upsert(row(index, 1, 30_000)));
  let clock = 1;
  const sequential = await throughput(HEARTBEATS, 1, (index) => store.upsert(row(index % MEMBERS, (clock += 1), 30_000)));
  const concurrent = await throughput(HEARTBEATS * 2, IN_FLIGHT, (index) => store.upsert(row(index % MEMBERS, (clock += 1), 30_000)));
  await store.sweep(Number.MAX_SAFE_INTEGER);
  // 100 000 rows, 10 000 of them expired at the sweep's `now`.
  await throughput(TOTAL_ROWS, 256, (index) => store.upsert(row(index, 1_000, index < EXPIRED_ROWS ? 1_000 : 1_000_000)));
  const started = performance.now();
  const swept = await store.sweep(500_000);
  const sweepMs = performance.now() - started;
  if (swept.length !== EXPIRED_ROWS) throw new Error(`sweep removed ${swept.length}, expected ${EXPIRED_ROWS}`);
  await store.sweep(Number.MAX_SAFE_INTEGER);
  return { sequential, concurrent, sweepMs };
};

const subjects = async (): Promise<Subject[]> => {
  const list: Subject[] = [{ name: 'memory', store: createMemoryPresenceStore(), close: async () => undefined }];
  const prefix = `bench${process.pid}:`;
  if (process.env.PRESENCE_REDIS_URL) {
    const client = new Redis(process.env.PRESENCE_REDIS_URL);
    list.push({ name: 'redis (standalone)', store: createRedisPresenceStore({ redis: client, keyPrefix: prefix }), close: async () => void client.disconnect() });
  }
  if (process.env.PRESENCE_REDIS_CLUSTER) {
    const seeds = process.env.PRESENCE_REDIS_CLUSTER.split(',').map((seed) => {
      const [host, port] = seed.split(':');
      return { host: host!, port: Number(port) };
    });
    const client = new Cluster(seeds);
    list.push({ name: `redis (cluster, ${seeds.length} seeds)`, store: createRedisPresenceStore({ redis: client, keyPrefix: prefix }), close: async () => void client.disconnect() });
  }
  for (const unlogged of process.env.PRESENCE_PG_URL ? [false, true] : []) {
    const pool = new pg.Pool({ connectionString: process.env.PRESENCE_PG_URL, max: IN_FLIGHT });
    const table = `presence_bench_${process.pid}_${unlogged ? 'unlogged' : 'logged'}`;
    await createPostgresPresenceTable(pool, { table, unlogged });
    list.push({
      name: unlogged ? 'postgres (unlogged table)' : 'postgres',
      store: createPostgresPresenceStore({ pool, table }),
      close: async () => {
        await pool.query(`DROP TABLE "${table}"`);
        await pool.end();
      },
    });
  }
  return list;
};

const main = async () => {
  const list = await subjects();
  if (list.length === 1) console.error('Only the memory store: set PRESENCE_REDIS_URL / PRESENCE_PG_URL (eval "$(.ci/servers.sh start)").');
  const lines = [
    `| store | heartbeats/s, sequential | heartbeats/s, ${IN_FLIGHT} in flight | sweep ${EXPIRED_ROWS.toLocaleString('en')} expired of ${TOTAL_ROWS.toLocaleString('en')} |`,
    '| --- | ---: | ---: | ---: |',
  ];
  for (const subject of list) {
    try {
      const { sequential, concurrent, sweepMs } = await measure(subject);
      lines.push(`| ${subject.name} | ${Math.round(sequential).toLocaleString('en')} | ${Math.round(concurrent).toLocaleString('en')} | ${Math.round(sweepMs).toLocaleString('en')} ms |`);
    } finally {
      await subject.close();
    }
  }
  console.log(lines.join('\n'));
};

await main();
