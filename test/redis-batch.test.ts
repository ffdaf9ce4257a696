/**
 * Coalesced writes of the Redis store against real servers (standalone,
 * standalone with one lane per shard, 3-master Cluster): concurrent calls
 * give exactly what the memory store gives for the same calls one by one in
 * the same order, batches really form (and stay in one slot on a Cluster), a
 * failing batch fails each of its callers with the typed error and the store
 * goes on, a row the server refuses fails alone, and a join's limit check
 * sees the rows before it in the same batch.
 */
import { createHash } from 'node:crypto';
import { fc, test } from '@fast-check/vitest';
import { Redis, type Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { PresenceRow } from '../src/row.js';
import type { Admission, AdmissionLimits, PresenceStore } from '../src/store.js';
import { createMemoryPresenceStore } from '../src/stores/memory.js';
import { createRedisPresenceStore, DEFAULT_REDIS_SHARDS, type RedisScriptClient } from '../src/stores/redis.js';
import { channelJson, shardKeys, shardOf } from '../src/stores/redis/codec.js';
import { WRITE } from '../src/stores/redis/scripts.js';
import { rowOf } from './servers/store-cases.js';
import { closeRedis, redisSkipReason, startRedis, startRedisCluster } from './servers/redis.js';

const skip = redisSkipReason();
let prefixes = 0;
const freshPrefix = () => `b${process.pid}-${(prefixes += 1)}:`;

/** One script call the store sent: which script, and the hash tags of its keys. */
interface SentCall {
  sha: string;
  rows: number;
  tags: Set<string>;
}

/**
 * The rows of a call of the write script and the shards they are in: from
 * the declared keys (a Cluster), or from each row's head (no keys: the head
 * is the row kind and its shard). A row is 3 arguments, an admit 6.
 */
const writeRows = (keys: number, args: string[]): Pick<SentCall, 'rows' | 'tags'> => {
  const tags = new Set(args.slice(0, keys).map((key) => /\{(\d+)\}/.exec(key)![1]!));
  let rows = 0;
  for (let at = keys === 0 ? 1 : keys; at < args.length; rows += 1) {
    if (keys === 0) tags.add(args[at]!.slice(1));
    at += args[at]!.startsWith('a') ? 6 : 3;
  }
  return { rows, tags };
};

/**
 * The real client, with every script call (`EVALSHA` or `EVAL`) recorded; `fault` may fail a call
 * instead of sending it. `isCluster` is passed on, so the store picks its
 * lanes as it would on the bare client.
 */
const recording = (client: Redis | Cluster, fault: (call: SentCall) => Error | undefined = () => undefined) => {
  const calls: SentCall[] = [];
  const send = (sha: string, keys: number, args: string[], call: () => Promise<unknown>) => {
    const sent = { sha, ...(sha === WRITE.sha ? writeRows(keys, args) : { rows: 1, tags: new Set<string>() }) };
    calls.push(sent);
    const error = fault(sent);
    return error === undefined ? call() : Promise.reject(error);
  };
  const redis: RedisScriptClient & { isCluster: boolean } = {
    isCluster: client.isCluster,
    evalsha: (sha, keys, ...args) => send(sha, keys, args, () => client.evalsha(sha, keys, ...args)),
    // A lane's first call and a NOSCRIPT resend go by EVAL: recorded (and faulted) under its SHA like the others.
    eval: (source, keys, ...args) => send(createHash('sha1').update(source).digest('hex'), keys, args, () => client.eval(source, keys, ...args)),
  };
  return { calls, redis, batches: () => calls.filter((call) => call.sha === WRITE.sha && call.rows > 1) };
};

/** One store call of the property, as data. */
type Op =
  | { kind: 'upsert' | 'update'; row: PresenceRow }
  | { kind: 'admit'; row: PresenceRow; limits: AdmissionLimits };

const apply = (store: PresenceStore, op: Op): Promise<PresenceRow | Admission | undefined> =>
  Promise.resolve(op.kind === 'admit' ? store.admit(op.row, op.limits) : op.kind === 'upsert' ? store.upsert(op.row) : store.update(op.row));

const limitArb = fc.oneof(fc.constant(Infinity), fc.integer({ min: 1, max: 3 }));
const opArb: fc.Arbitrary<Op> = fc
  .record({
    kind: fc.constantFrom('upsert', 'update', 'admit', 'admit'),
    channel: fc.constantFrom('c0', 'c1', 'c2'),
    actorId: fc.constantFrom('a0', 'a1', 'a2'),
    sessionId: fc.constantFrom('', 's1'),
    heartbeatAt: fc.integer({ min: 0, max: 20 }),
    ttl: fc.integer({ min: 1, max: 12 }),
    n: fc.nat(3),
    maxMembers: limitArb,
    maxSessionsPerActor: limitArb,
  })
  .map(({ kind, channel, actorId, sessionId, heartbeatAt, ttl, n, maxMembers, maxSessionsPerActor }) => {
    const row = rowOf({ scope: 'p', channel, actorId, sessionId }, heartbeatAt, heartbeatAt + ttl, { n });
    return kind === 'admit' ? { kind, row, limits: { maxMembers, maxSessionsPerActor } } : { kind, row };
  });

const byId = (rows: PresenceRow[]): PresenceRow[] => [...rows].sort((left, right) => (left.id < right.id ? -1 : 1));

const suite = (label: string, connect: () => Promise<{ client: Redis | Cluster; dispose: () => Promise<void> }>, crossShardBatches?: boolean) =>
  describe.skipIf(skip !== undefined)(skip === undefined ? label : `${label} (SKIPPED: ${skip})`, () => {
    let client: Redis | Cluster;
    let dispose: () => Promise<void> = async () => undefined;
    const storeOn = (redis: RedisScriptClient, keyPrefix = freshPrefix()) => createRedisPresenceStore({ redis, keyPrefix, ...(crossShardBatches === undefined ? {} : { crossShardBatches }) });

    beforeAll(async () => {
      ({ client, dispose } = await connect());
    });
    afterAll(async () => {
      if (client !== undefined) await closeRedis(client);
      await dispose();
    });

    test.prop([fc.array(opArb, { minLength: 1, maxLength: 40 }), fc.array(opArb, { minLength: 1, maxLength: 40 })], { numRuns: 25 })(
      'concurrent upserts, updates and admits give exactly what the memory store gives one by one in the same order',
      async (first, second) => {
        const { redis } = recording(client);
        const store = storeOn(redis);
        const memory = createMemoryPresenceStore();
        for (const wave of [first, second]) {
          // Every call at once: the store sends the first ones alone and batches the rest.
          const concurrent = await Promise.all(wave.map((op) => apply(store, op)));
          const oneByOne: unknown[] = [];
          for (const op of wave) oneByOne.push(await apply(memory, op));
          expect(concurrent).toEqual(oneByOne);
          expect(byId(await store.rows())).toEqual(byId(await memory.rows()));
        }
      },
    );

    test('concurrent writes share script calls: fewer calls than rows, each caller gets its own row, a repeated id merges twice', async () => {
      const { redis, calls, batches } = recording(client);
      const store = storeOn(redis);
      const rows = Array.from({ length: 64 }, (_, index) => rowOf({ scope: 'f', channel: `c${index % 4}`, actorId: `a${index % 16}`, sessionId: '' }, index, 100 + (index % 16)));
      // a0 again, with an older heartbeat and a larger expiry: its newer value stays, its expiry grows.
      const older = rowOf({ scope: 'f', channel: 'c0', actorId: 'a0', sessionId: '' }, 0, 500, { late: true });
      const results = await Promise.all([...rows.map((row) => store.upsert(row)), store.upsert(older)]);
      expect(results.slice(0, 64)).toEqual(rows);
      expect(results[64]).toEqual({ ...rows[48]!, expiresAt: 500 });
      expect(batches().length).toBeGreaterThan(0);
      expect(calls.length).toBeLessThan(65);
      expect(calls.reduce((sum, call) => sum + call.rows, 0)).toBe(65);
      // Ids repeat every 16 rows; the last of each is stored.
      expect(byId(await store.rows())).toEqual(byId(rows.slice(48).map((row, index) => (index === 0 ? { ...row, expiresAt: 500 } : row))));
      // A Cluster call stays in one slot; a standalone store (by default) lets shards share a call.
      const crossing = batches().some((call) => call.tags.size > 1);
      expect(crossing).toBe(client.isCluster || crossShardBatches === false ? false : true);
    });

    test('a join sees the joins before it in the same batch: exactly the first ones in arrival order get the last places', async () => {
      const { redis, batches } = recording(client);
      const store = storeOn(redis);
      const renewal = rowOf({ scope: 'r', channel: 'room', actorId: 'old', sessionId: '' }, 1, 50);
      await store.upsert(renewal);
      const joins = Array.from({ length: 8 }, (_, index) => rowOf({ scope: 'r', channel: 'room', actorId: `j${index}`, sessionId: '' }, 10, 40));
      const sessions = Array.from({ length: 4 }, (_, index) => rowOf({ scope: 'r', channel: 'hall', actorId: 'me', sessionId: `tab${index}` }, 10, 40));
      const results = await Promise.all([
        ...joins.map((row) => store.admit(row, { maxMembers: 3, maxSessionsPerActor: Infinity })),
        store.admit({ ...renewal, heartbeatAt: 11, expiresAt: 60 }, { maxMembers: 3, maxSessionsPerActor: Infinity }),
        ...sessions.map((row) => store.admit(row, { maxMembers: Infinity, maxSessionsPerActor: 2 })),
      ]);
      expect(batches().length).toBeGreaterThan(0);
      expect(results).toEqual([
        { admitted: true, row: joins[0] },
        { admitted: true, row: joins[1] },
        ...joins.slice(2).map(() => ({ admitted: false, full: 'channel', live: 3 })),
        // A live member is never refused, full channel or not.
        { admitted: true, row: { ...renewal, heartbeatAt: 11, expiresAt: 60 } },
        { admitted: true, row: sessions[0] },
        { admitted: true, row: sessions[1] },
        { admitted: false, full: 'actor', live: 2 },
        { admitted: false, full: 'actor', live: 2 },
      ]);
      expect((await store.channel('r', 'room', 10)).map((row) => row.actorId).sort()).toEqual(['j0', 'j1', 'old']);
    });

    test('a failing batch rejects each of its callers with STORE_UNAVAILABLE; the lone call before it and the calls after it work', async () => {
      let failures = 1;
      const { redis, batches } = recording(client, (call) => (call.sha === WRITE.sha && call.rows > 1 && failures-- > 0 ? new Error('Connection is closed.') : undefined));
      const store = storeOn(redis);
      const rows = Array.from({ length: 6 }, (_, index) => rowOf({ scope: 'x', channel: 'c', actorId: `a${index}`, sessionId: '' }, 1, 9));
      const settled = await Promise.allSettled([
        ...rows.slice(0, 3).map((row) => store.upsert(row)),
        ...rows.slice(3).map((row) => store.admit(row, { maxMembers: 10, maxSessionsPerActor: 32 })),
      ]);
      expect(batches().length).toBeGreaterThan(0);
      // The first calls of a lane go out alone; every call behind them rode in the failed batch.
      const failed = settled.filter((one) => one.status === 'rejected');
      expect(failed.length).toBeGreaterThan(0);
      for (const [index, one] of settled.entries()) {
        if (one.status === 'fulfilled') continue;
        const operation = index < 3 ? 'upsert' : 'admit';
        expect(one.reason).toMatchObject({ code: 'STORE_UNAVAILABLE', message: `[STORE_UNAVAILABLE] redis store: ${operation} failed: Connection is closed.` });
      }
      // Nothing of the failed batch was written; the store goes on, batching again.
      const stored = byId(await store.rows());
      expect(stored).toEqual(byId(rows.filter((_, index) => settled[index]!.status === 'fulfilled')));
      expect(await Promise.all(rows.map((row) => store.upsert(row)))).toEqual(rows);
      expect(byId(await store.rows())).toEqual(byId(rows));
    });

    test('a row the server refuses inside a batch fails alone, as it would alone, and writes nothing', async () => {
      const prefix = freshPrefix();
      const store = storeOn(recording(client).redis, prefix);
      // A channel in the same shard as `ok`, so its row rides in the same batch whatever the lanes.
      const shardOfChannel = (channel: string) => shardOf(channelJson('w', channel), DEFAULT_REDIS_SHARDS);
      const name = Array.from({ length: 10_000 }, (_, index) => `broken${index}`).find((channel) => shardOfChannel(channel) === shardOfChannel('ok'))!;
      const rows = Array.from({ length: 6 }, (_, index) => rowOf({ scope: 'w', channel: index === 3 ? name : 'ok', actorId: `a${index}`, sessionId: '' }, 1, 9));
      // Another program's value of the wrong type where the channel's sorted set belongs.
      const broken = channelJson('w', name);
      await client.set(`${shardKeys(prefix, shardOf(broken, DEFAULT_REDIS_SHARDS)).channelPrefix}${broken}`, 'not a sorted set');
      const settled = await Promise.allSettled(rows.map((row) => store.upsert(row)));
      expect(settled.map((one) => one.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      expect((settled[3] as PromiseRejectedResult).reason).toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringContaining('WRONGTYPE') });
      expect(await store.channel('w', 'ok', 0)).toEqual(byId(rows.filter((_, index) => index !== 3)));
      // The refused insert left no row, no expiry entry: its channel's set is filed first.
      expect(byId(await store.rows())).toEqual(byId(rows.filter((_, index) => index !== 3)));
      expect(await store.sweep(Number.MAX_SAFE_INTEGER)).toHaveLength(5);
    });
  });

const standalone = async () => {
  if (process.env.PRESENCE_REDIS_URL !== undefined) return { client: new Redis(process.env.PRESENCE_REDIS_URL), dispose: async () => undefined };
  const server = await startRedis();
  return { client: new Redis(server.url), dispose: () => server.dispose() };
};

suite('redis store batches (standalone: one lane per server)', standalone);
suite('redis store batches (standalone, crossShardBatches: false: one lane per shard)', standalone, false);
suite('redis store batches (3-master cluster: one lane per shard)', async () => {
  const cluster = await startRedisCluster();
  return { client: cluster.connect(), dispose: () => cluster.dispose() };
});
