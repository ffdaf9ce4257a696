/**
 * Networked stores against their raw floor on the same server, client and
 * concurrency: the store's heartbeat (`upsert` of a renewed row) next to the
 * cheapest call of the same shape, one and 64 in flight, interleaved in
 * rounds so a burst of load from other processes hits both alike. Prints the
 * median of the rounds and the ratio store ÷ floor.
 *
 * - Redis floor: `EVALSHA` of `return 1` with as many keys and arguments as
 *   the upsert sends, on the same connection.
 * - PostgreSQL floor: a one-row `INSERT ... ON CONFLICT (id) DO UPDATE` of a
 *   two-column unlogged table (no secondary index, so every update is HOT),
 *   on the same pool. The table also lists `n_tup_hot_upd / n_tup_upd` of
 *   the store's tables from `pg_stat_user_tables`.
 *
 * ```sh
 * eval "$(.ci/servers.sh start)"   # PRESENCE_REDIS_URL, PRESENCE_PG_URL
 * npx tsc -p tsconfig.bench.json && node dist/bench/floors.js
 * ```
 *
 * The Redis group times `upsert`, `admit` without limits, `admit` with the
 * pack's default limits (what a pack's heartbeat calls) and an upsert into
 * one channel of 10 000 members, then prints the issue's targets for the
 * first three (≥ 0.85 of the floor sequentially, ≥ 0.7 at 64 in flight).
 *
 * `BENCH_ROUNDS` (default 5) and `BENCH_BUDGET_MS` (default 500 per subject, width and round) tune it; `BENCH_FLOORS=redis` (or `postgres`) runs one group; `BENCH_FLOORS=ladder` runs the Redis group's heartbeat paths after the rungs of `redis-ladder.ts`.
 * `BENCH_REDIS_BEFORE=<path to another build's dist/src/stores/redis.js>` adds
 * that build's Redis store, on every subject, to the same rounds, for
 * before/after in one run.
 *
 * Beside each rate it prints the CPU time per call: the client's
 * (`process.cpuUsage`) and, for Redis, the server's (`INFO cpu`), so a
 * result can be read apart from the wall-clock swings of a shared machine.
 *
 * The PostgreSQL group also runs `admit` of the same renewals with the
 * pack's default limits (members unlimited, 32 sessions per actor), which is
 * what a pack's heartbeat calls, on an unlogged table of its own, and
 * `admit` of a new member on every call (a reconnect storm) beside it.
 *
 * `BENCH_PG_BEFORE=<path to another build's dist/src/stores/postgres.js>` adds
 * that build's PostgreSQL store, on tables it makes itself, to the same
 * rounds. Under the table it prints each store table's HOT share and how many
 * of the renewals sent moved their row to another expiry bucket.
 *
 * @module
 */
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { presenceRowId, type PresenceIdentity, type PresenceRow } from '../src/row.js';
import type { AdmissionLimits, PresenceStore } from '../src/store.js';
import { createPostgresPresenceStore, createPostgresPresenceTable } from '../src/stores/postgres.js';
import { EXPIRY_BUCKET_MS } from '../src/stores/postgres/sql.js';
import { createRedisPresenceStore } from '../src/stores/redis.js';
import { ladderRungs, loadLadder } from './redis-ladder.js';
import { int, num, printTable } from './table.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BUDGET_MS = Number(process.env.BENCH_BUDGET_MS ?? 500);
const WIDTHS = [1, 64] as const;
const MEMBERS = 1_000;
/** Members of the one channel of the large-channel subject. */
const LARGE_CHANNEL = 10_000;

/** One thing timed: a call taking the running call number. */
interface Subject {
  name: string;
  call: (index: number) => Promise<unknown>;
  /** Calls that create every member before timing (default {@link MEMBERS}). */
  members?: number;
}

/** A floor and the subjects measured against it. */
interface Group {
  title: string;
  floor: Subject;
  subjects: Subject[];
  /** Extra lines printed under the table. */
  notes?: () => Promise<string[]>;
  /** The server's CPU seconds so far, when it can be read. */
  serverCpu?: () => Promise<number>;
  /** The issue's targets: a subject's ratio to the floor at one width, at least `atLeast`. */
  targets?: { subject: Subject; width: (typeof WIDTHS)[number]; atLeast: number }[];
  close: () => Promise<void>;
}

/** Keeps `width` calls in flight for `budgetMs` (or `count` calls, whichever ends first); returns calls per second. */
const rate = async (count: number, width: number, call: (index: number) => Promise<unknown>, budgetMs = Infinity): Promise<number> => {
  let next = 0;
  const started = performance.now();
  const deadline = started + budgetMs;
  await Promise.all(
    Array.from({ length: Math.min(width, count) }, async () => {
      while (next < count && performance.now() < deadline) await call(next++);
    }),
  );
  return next / ((performance.now() - started) / 1_000);
};

const median = (values: number[]): number => {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)]!;
};

/**
 * Renewals of `members` members over `channels` channels: member
 * `index % members` renews with a later heartbeat, a longer expiry and a small
 * state. The clock moves so that each member renews 15 s after its last
 * heartbeat on a 30 s TTL, as a pack on its defaults does. Identities and ids
 * are made once: a caller holds its row's id, so making it is not the store's cost.
 */
const renewals = (members: number, channels: number): ((index: number) => PresenceRow) => {
  const identities = Array.from({ length: members }, (_, member) => {
    const identity: PresenceIdentity = { scope: 'bench', channel: `room-${member % channels}`, actorId: `user-${member}`, sessionId: '' };
    return { id: presenceRowId(identity), ...identity };
  });
  const step = Math.max(1, Math.round(15_000 / members));
  let clock = 1_000;
  return (index) => {
    const identity = identities[index % members]!;
    clock += step;
    return { ...identity, state: { name: `User ${index % members}`, color: '#3366ff' }, heartbeatAt: clock, expiresAt: clock + 30_000 };
  };
};

const heartbeat = (name: string, store: PresenceStore, members = MEMBERS, channels = 100): Subject => {
  const renewal = renewals(members, channels);
  return { name, members, call: async (index) => store.upsert(renewal(index)) };
};

/** `admit` of renewals under `limits`: what the pack's heartbeat calls. */
const admitting = (name: string, store: PresenceStore, limits: AdmissionLimits): Subject => {
  const renewal = renewals(MEMBERS, 100);
  return { name, call: async (index) => store.admit(renewal(index), limits) };
};

/** `admit` under `limits` of a member never seen before on every call: a reconnect storm. */
const joining = (name: string, store: PresenceStore, limits: AdmissionLimits): Subject => {
  let joined = 0;
  return {
    name,
    call: async () => {
      const member = joined++;
      const identity: PresenceIdentity = { scope: 'bench', channel: `room-${member % 100}`, actorId: `joiner-${member}`, sessionId: '' };
      return store.admit({ id: presenceRowId(identity), ...identity, state: { name: `User ${member}` }, heartbeatAt: 1_000, expiresAt: 31_000 }, limits);
    },
  };
};

/** The pack's default limits: members unlimited, 32 sessions per actor. */
const PACK_LIMITS: AdmissionLimits = { maxMembers: Infinity, maxSessionsPerActor: 32 };

/** The store when it has `admit`, as a list of zero or one. */
const withAdmit = (store: PresenceStore): PresenceStore[] => (typeof store.admit === 'function' ? [store] : []);

const redisGroup = async (url: string, ladder: boolean): Promise<Group> => {
  const client = new Redis(url);
  const prefix = `floor${process.pid}:`;
  const sha = String(await client.script('LOAD', 'return 1'));
  const key = `${prefix}{0}:k`;
  const store = (tag: string, create = createRedisPresenceStore) => create({ redis: client, keyPrefix: `${prefix}${tag}:` });
  const builds: [string, typeof createRedisPresenceStore][] = [['', createRedisPresenceStore]];
  const before = process.env.BENCH_REDIS_BEFORE;
  if (before !== undefined) {
    const module = (await import(pathToFileURL(before).href)) as { createRedisPresenceStore: typeof createRedisPresenceStore };
    builds.push(['before: ', module.createRedisPresenceStore]);
  }
  const floor = (index: number) => client.evalsha(sha, 3, key, key, key, String(index), '1', 'value');
  // The ladder: only the heartbeat paths, after the rungs between them and the floor.
  const subjects = builds.flatMap(([label, create], b) => [
    heartbeat(`${label}redis store upsert`, store(`${b}u`, create)),
    ...(ladder ? [] : withAdmit(store(`${b}a`, create)).map((one) => admitting(`${label}redis store admit, no limits`, one, { maxMembers: Infinity, maxSessionsPerActor: Infinity }))),
    // A build from before `admit` (issue 15 measured main 7a32779) times `upsert` only.
    ...withAdmit(store(`${b}p`, create)).map((one) => admitting(`${label}redis store admit, the pack's limits`, one, PACK_LIMITS)),
    ...(ladder ? [] : [heartbeat(`${label}redis store upsert, one channel of ${int(LARGE_CHANNEL)}`, store(`${b}l`, create), LARGE_CHANNEL, 1)]),
  ]);
  // This build's heartbeat paths (the first subjects): upsert, admit without limits (not in the ladder), admit with the pack's limits.
  const targets = subjects.slice(0, ladder ? 2 : 3).flatMap((subject) => [
    { subject, width: 1 as const, atLeast: 0.85 },
    { subject, width: 64 as const, atLeast: 0.7 },
  ]);
  if (ladder) {
    await loadLadder(client);
    subjects.unshift(...ladderRungs(client, floor, `${prefix}raw:`, renewals(MEMBERS, 100)));
  } else {
    // Batches within one shard only, as on a Cluster (this build only: the option is new).
    const perShard = createRedisPresenceStore({ redis: client, keyPrefix: `${prefix}s:`, crossShardBatches: false });
    subjects.push(admitting("redis store admit, the pack's limits, one lane per shard (as on a Cluster)", perShard, PACK_LIMITS));
  }
  return {
    title: 'Redis: store heartbeat ÷ EVALSHA of `return 1` (same connection)',
    targets,
    floor: { name: 'EVALSHA `return 1`, 3 keys + 3 args', call: floor },
    subjects,
    serverCpu: async () => {
      const info = await client.info('cpu');
      return ['used_cpu_user', 'used_cpu_sys'].reduce((sum, field) => sum + Number(new RegExp(`${field}:([\\d.]+)`).exec(info)?.[1] ?? Number.NaN), 0);
    },
    close: async () => {
      const keys = await client.keys(`${prefix}*`);
      for (let index = 0; index < keys.length; index += 1_000) await client.del(...keys.slice(index, index + 1_000));
      client.disconnect();
    },
  };
};

/** The renewals one PostgreSQL subject sent, and how many moved their row to another expiry bucket. */
interface BucketCount {
  table: string;
  bucketMs: number;
  sent: number;
  renewals: number;
  crossed: number;
}

/**
 * The store with its upserts counted: a renewal whose expiry lands in
 * another bucket than the id's last one changes an indexed column, so it
 * cannot be a HOT update. The count is what the bench's own times allow.
 */
const countingBuckets = (store: PresenceStore, count: BucketCount): PresenceStore => {
  const last = new Map<string, number>();
  return {
    ...store,
    upsert: (row) => {
      const before = last.get(row.id);
      count.sent += 1;
      if (before !== undefined) {
        count.renewals += 1;
        if (Math.floor(before / count.bucketMs) !== Math.floor(row.expiresAt / count.bucketMs)) count.crossed += 1;
      }
      last.set(row.id, row.expiresAt);
      return store.upsert(row);
    },
  };
};

/** A build of the PostgreSQL store: this one, or the one `BENCH_PG_BEFORE` names. */
interface PostgresBuild {
  label: string;
  createTable: typeof createPostgresPresenceTable;
  createStore: typeof createPostgresPresenceStore;
  bucketMs: number;
}

const postgresBuilds = async (): Promise<PostgresBuild[]> => {
  const builds: PostgresBuild[] = [{ label: '', createTable: createPostgresPresenceTable, createStore: createPostgresPresenceStore, bucketMs: EXPIRY_BUCKET_MS }];
  const before = process.env.BENCH_PG_BEFORE;
  if (before !== undefined) {
    const module = (await import(pathToFileURL(before).href)) as typeof import('../src/stores/postgres.js');
    const sql = (await import(new URL('./postgres/sql.js', pathToFileURL(before)).href)) as typeof import('../src/stores/postgres/sql.js');
    builds.push({ label: 'before: ', createTable: module.createPostgresPresenceTable, createStore: module.createPostgresPresenceStore, bucketMs: sql.EXPIRY_BUCKET_MS });
  }
  return builds;
};

/** Until every upsert sent shows in `pg_stat_user_tables` (an ended backend flushes its counts a moment later), at most 5 s. */
const tableStats = async (admin: pg.Client, counts: BucketCount[]) => {
  const deadline = performance.now() + 5_000;
  for (;;) {
    const stats = await admin.query<{ relname: string; hot: string; upd: string; ins: string }>(
      'SELECT relname, n_tup_hot_upd::text AS hot, n_tup_upd::text AS upd, n_tup_ins::text AS ins FROM pg_stat_user_tables WHERE relname = ANY($1)',
      [counts.map((count) => count.table)],
    );
    const byTable = new Map(stats.rows.map((row) => [row.relname, row]));
    const complete = counts.every((count) => Number(byTable.get(count.table)?.upd ?? 0) + Number(byTable.get(count.table)?.ins ?? 0) >= count.sent);
    if (complete || performance.now() > deadline) return byTable;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

const postgresGroup = async (url: string): Promise<Group> => {
  const pool = new pg.Pool({ connectionString: url, max: 64 });
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const tag = `${process.pid}`;
  const floorTable = `presence_floor_${tag}`;
  await pool.query(`CREATE UNLOGGED TABLE ${floorTable} (id text PRIMARY KEY, v bigint NOT NULL)`);
  const counts: BucketCount[] = [];
  const admitTables: string[] = [];
  const subjects: Subject[] = [];
  for (const [b, build] of (await postgresBuilds()).entries()) {
    for (const unlogged of [true, false]) {
      const table = `presence_floor_${tag}_${b}${unlogged ? 'u' : 'l'}`;
      await build.createTable(pool, { table, unlogged });
      const count: BucketCount = { table, bucketMs: build.bucketMs, sent: 0, renewals: 0, crossed: 0 };
      counts.push(count);
      subjects.push(heartbeat(`${build.label}postgres store, ${unlogged ? 'unlogged' : 'logged'} table`, countingBuckets(build.createStore({ pool, table }), count)));
    }
    const admitTable = `presence_floor_${tag}_${b}a`;
    await build.createTable(pool, { table: admitTable, unlogged: true });
    admitTables.push(admitTable);
    subjects.push(admitting(`${build.label}postgres store admit, the pack's limits, unlogged`, build.createStore({ pool, table: admitTable }), PACK_LIMITS));
    // Joins on a table of their own, so the rows they add do not weigh on the renewals'.
    const joinTable = `presence_floor_${tag}_${b}j`;
    await build.createTable(pool, { table: joinTable, unlogged: true });
    admitTables.push(joinTable);
    subjects.push(joining(`${build.label}postgres store admit, every call a join, the pack's limits, unlogged`, build.createStore({ pool, table: joinTable }), PACK_LIMITS));
  }
  const upsertFloor = { name: 'floor_upsert', text: `INSERT INTO ${floorTable} (id, v) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v` };
  const floorCount: BucketCount = { table: floorTable, bucketMs: Infinity, sent: 0, renewals: 0, crossed: 0 };
  return {
    title: 'PostgreSQL: store heartbeat ÷ one-row `INSERT … ON CONFLICT` on an unlogged table (same pool)',
    floor: { name: 'one-row INSERT … ON CONFLICT, unlogged', call: (index) => pool.query({ ...upsertFloor, values: [`user-${index % MEMBERS}`, String(index)] }) },
    subjects,
    notes: async () => {
      // Ended backends flush their statistics; open ones may hold up to 10 s of them back.
      await pool.end();
      const byTable = await tableStats(admin, [floorCount, ...counts]);
      return [floorCount, ...counts].map((count) => {
        const row = byTable.get(count.table);
        const hot = Number(row?.hot ?? 0);
        const updates = Number(row?.upd ?? 0);
        const buckets = count.bucketMs === Infinity ? '' : `; ${num((100 * count.crossed) / Math.max(1, count.renewals))} % of ${int(count.renewals)} renewals sent changed their ${int(count.bucketMs / 1_000)} s bucket`;
        return `${count.table}: n_tup_hot_upd ${int(hot)} of n_tup_upd ${int(updates)} (${num((100 * hot) / Math.max(1, updates))} % HOT)${buckets}`;
      });
    },
    close: async () => {
      const tables = [...counts.map((count) => count.table), ...admitTables];
      for (const table of [floorTable, ...tables]) await admin.query(`DROP TABLE ${table}`);
      await admin.query(`DROP FUNCTION IF EXISTS ${tables.flatMap((table) => [`${table}_admit`, `${table}_admit_many`]).join(', ')}`);
      await admin.end();
    },
  };
};

/** One timed stretch: calls per second and CPU microseconds per call. */
interface Sample {
  rate: number;
  clientUs: number;
  serverUs: number;
}

const sample = async (group: Group, width: number, call: (index: number) => Promise<unknown>): Promise<Sample> => {
  const server = await group.serverCpu?.();
  const client = process.cpuUsage();
  const started = performance.now();
  const perSecond = await rate(Infinity, width, call, BUDGET_MS);
  const calls = (perSecond * (performance.now() - started)) / 1_000;
  const used = process.cpuUsage(client);
  const serverUs = server === undefined ? Number.NaN : ((await group.serverCpu!()) - server) * 1e6;
  return { rate: perSecond, clientUs: (used.user + used.system) / calls, serverUs: serverUs / calls };
};

const measure = async (group: Group): Promise<void> => {
  const everyone = [group.floor, ...group.subjects];
  // Members exist first (a heartbeat is a renewal), then one warm-up pass.
  for (const subject of everyone) await rate(subject.members ?? MEMBERS, 64, subject.call);
  for (const subject of everyone) await rate(Infinity, 64, subject.call, BUDGET_MS);
  const samples = new Map(everyone.map((subject) => [subject, WIDTHS.map(() => [] as Sample[])]));
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [w, width] of WIDTHS.entries()) {
      // Alternate the order each round so neither side always runs first.
      const order = round % 2 === 0 ? everyone : [...everyone].reverse();
      for (const subject of order) samples.get(subject)![w]!.push(await sample(group, width, subject.call));
    }
  }
  const medians = (subject: Subject, w: number) => {
    const taken = samples.get(subject)![w]!;
    return { rate: median(taken.map((one) => one.rate)), clientUs: median(taken.map((one) => one.clientUs)), serverUs: median(taken.map((one) => one.serverUs)) };
  };
  const floor = WIDTHS.map((_, w) => medians(group.floor, w));
  const cpu = (one: Sample) => (Number.isNaN(one.serverUs) ? num(one.clientUs) : `${num(one.clientUs)} + ${num(one.serverUs)}`);
  const rows = everyone.map((subject) => [
    subject.name,
    ...WIDTHS.flatMap((_, w) => {
      const mine = medians(subject, w);
      return [int(mine.rate), subject === group.floor ? '1.00' : num(mine.rate / floor[w]!.rate, 2), cpu(mine)];
    }),
  ]);
  const cpuHeader = group.serverCpu === undefined ? 'client µs CPU/call' : 'µs CPU/call client + server';
  printTable(group.title, ['subject', ...WIDTHS.flatMap((width) => [`${width} in flight /s`, '÷ floor', cpuHeader])], rows);
  if (group.targets !== undefined) {
    const checks = group.targets.map(({ subject, width, atLeast }) => {
      const w = WIDTHS.indexOf(width);
      const ratio = medians(subject, w).rate / floor[w]!.rate;
      return [`${subject.name}, ${width} in flight ≥ ${num(atLeast, 2)} of the floor`, ratio >= atLeast ? 'yes' : 'NO', num(ratio, 2)];
    });
    printTable(`Targets: ${group.title}`, ['target', 'met', 'measured'], checks);
  }
  for (const line of (await group.notes?.()) ?? []) console.log(`\n${line}`);
  console.log(`\nload average ${loadavg().map((load) => num(load, 2)).join(' / ')} at the end`);
};

const main = async (): Promise<void> => {
  const groups: Group[] = [];
  const only = (process.env.BENCH_FLOORS ?? 'redis,postgres').split(',');
  const ladder = only.includes('ladder');
  if (process.env.PRESENCE_REDIS_URL && (only.includes('redis') || ladder)) groups.push(await redisGroup(process.env.PRESENCE_REDIS_URL, ladder));
  if (process.env.PRESENCE_PG_URL && only.includes('postgres')) groups.push(await postgresGroup(process.env.PRESENCE_PG_URL));
  if (groups.length === 0) {
    console.log('\n(store floors skipped: set PRESENCE_REDIS_URL / PRESENCE_PG_URL, e.g. eval "$(.ci/servers.sh start)")');
    return;
  }
  console.log(`\n## Stores against their floors\n\n${ROUNDS} interleaved rounds of ${int(BUDGET_MS)} ms per subject and width, medians; load average ${loadavg().map((load) => num(load, 2)).join(' / ')} at start`);
  for (const group of groups) {
    try {
      await measure(group);
    } finally {
      await group.close();
    }
  }
};

await main();
