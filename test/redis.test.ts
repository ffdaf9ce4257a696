/**
 * The Redis store against real servers: the whole spec kit on a standalone
 * server and on a 3-master Cluster, hostile input, concurrent sweepers, the
 * cluster layout, and option validation.
 */
import { Redis, type Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { PresenceConfigError, PresenceError } from '../src/errors.js';
import type { PresenceRow } from '../src/row.js';
import type { PresenceStore } from '../src/store.js';
import { createRedisPresenceStore, DEFAULT_REDIS_SHARDS, type RedisScriptClient } from '../src/stores/redis.js';
import { channelJson, shardKeys, shardOf } from '../src/stores/redis/codec.js';
import * as scripts from '../src/stores/redis/scripts.js';
import { certifyEachInvariant, expectCertified, expectExactRoundTrips, expectExclusiveConcurrentSweeps, expectRenewedNeverSwept, expectRowChecks, rowOf } from './servers/store-cases.js';
import { closeRedis, redisSkipReason, startRedis, startRedisCluster, type RedisClusterServers, type RedisServer } from './servers/redis.js';

const skip = redisSkipReason();
let prefixes = 0;
const freshPrefix = () => `t${process.pid}-${(prefixes += 1)}:`;
const byId = (rows: PresenceRow[]): PresenceRow[] => [...rows].sort((left, right) => (left.id < right.id ? -1 : 1));

/** The Redis backends: our own servers, or PRESENCE_REDIS_URL for the standalone runs. */
interface Backend {
  readonly client: Redis | Cluster;
  store(options?: { shards?: number }): PresenceStore;
}

const suite = (label: string, connect: () => Promise<{ client: Redis | Cluster; dispose: () => Promise<void> }>) =>
  describe.skipIf(skip !== undefined)(skip === undefined ? label : `${label} (SKIPPED: ${skip})`, () => {
    let backend: Backend;
    let dispose: () => Promise<void> = async () => undefined;

    beforeAll(async () => {
      const connected = await connect();
      dispose = connected.dispose;
      backend = {
        client: connected.client,
        store: (options = {}) => createRedisPresenceStore({ redis: connected.client, keyPrefix: freshPrefix(), ...options }),
      };
    });
    afterAll(async () => {
      if (backend !== undefined) await closeRedis(backend.client);
      await dispose();
    });

    describe('spec kit', () => certifyEachInvariant(() => ({ create: () => backend.store() })));

    test('passes the certification with a single shard (every channel in one slot)', async () => {
      await expectCertified({ create: () => backend.store({ shards: 1 }) }, 15);
    });

    test('round-trips hostile ids, channels and an 8 KiB state exactly', async () => {
      await expectExactRoundTrips(backend.store());
    });

    test('concurrent sweepers on several stores each take disjoint rows, never a renewed one', async () => {
      const prefix = freshPrefix();
      const nodes = [0, 1, 2].map(() => createRedisPresenceStore({ redis: backend.client, keyPrefix: prefix }));
      await expectExclusiveConcurrentSweeps(nodes);
      await expectRenewedNeverSwept(nodes);
    });

    test('a bounded sweep takes the globally oldest rows first, across shards', async () => {
      const store = backend.store();
      const rows = Array.from({ length: 30 }, (_, index) => rowOf({ scope: 'o', channel: `c${index}`, actorId: 'a', sessionId: '' }, 0, 100 - index));
      for (const row of rows) await store.upsert(row);
      const oldest = [...rows].sort((a, b) => a.expiresAt - b.expiresAt);
      expect(await store.sweep(1_000, 7)).toEqual(oldest.slice(0, 7));
      expect(await store.sweep(1_000, 0)).toEqual([]);
      expect(await store.sweep(80, 100)).toEqual(oldest.slice(7, 10));
      expect(await store.sweep(1_000)).toEqual(oldest.slice(10));
    });

    test('ids that presenceRowId cannot make are never found, and rows must carry their canonical id', async () => {
      const store = backend.store();
      const row = rowOf({ scope: 's', channel: 'c', actorId: 'a', sessionId: '' }, 1, 2);
      await store.upsert(row);
      for (const id of ['nope', '[1,2,3,4]', '["s", "c", "a", ""]', '["s","c","a"]']) {
        expect(await store.get(id)).toBeUndefined();
        expect(await store.remove(id)).toBeUndefined();
      }
      await expect(store.upsert({ ...row, id: 'other' })).rejects.toMatchObject({ code: 'INVALID_ARGS' });
      // The id this store just wrote (and remembers the placement of), on other identity parts.
      for (const other of [{ scope: 't' }, { channel: 'd' }, { actorId: 'b' }, { sessionId: 'x' }]) {
        await expect(store.upsert({ ...row, ...other })).rejects.toMatchObject({ code: 'INVALID_ARGS' });
      }
      await expect(store.upsert({ ...row, expiresAt: Number.NaN })).rejects.toMatchObject({ code: 'INVALID_ARGS' });
      await expect(store.channel('s', 'c', Number.POSITIVE_INFINITY)).rejects.toBeInstanceOf(PresenceError);
      await expect(store.sweep(1, -1)).rejects.toMatchObject({ code: 'INVALID_ARGS' });
      expect(await store.get(row.id)).toEqual(row);
    });

    test('refuses what every bundled store refuses (row-check.ts), with the same code, storing nothing', async () => {
      await expectRowChecks(backend.store());
    });

    test('lazy filing: a renewal moves no score; bounded and unbounded sweeps re-file the due renewed rows they meet and still take exactly min(limit, expired)', async () => {
      const prefix = freshPrefix();
      // One shard, so the due entries (2 500) are more than one sweep script looks at (1 000), and a bounded sweep meets renewed ones.
      const store = createRedisPresenceStore({ redis: backend.client, keyPrefix: prefix, shards: 1 });
      const keys = shardKeys(prefix, 0);
      const rows = Array.from({ length: 2_500 }, (_, index) => rowOf({ scope: 'z', channel: `c${index % 10}`, actorId: `a${index}`, sessionId: '' }, 1, 100));
      await Promise.all(rows.map((row) => store.upsert(row)));
      // Two rows in three are renewed to 500; the others stay on 100.
      const renewed = rows.filter((_, index) => index % 3 !== 0).map((row) => ({ ...row, heartbeatAt: 50, expiresAt: 500 }));
      const abandoned = rows.filter((_, index) => index % 3 === 0);
      expect(await Promise.all(renewed.map((row) => store.upsert(row)))).toEqual(renewed);
      const scores = async (row: PresenceRow) => [await backend.client.zscore(keys.expiry, row.id), await backend.client.zscore(`${keys.channelPrefix}${channelJson('z', row.channel)}`, row.id)];
      expect(await scores(renewed[0]!)).toEqual(['100', '100']);
      // Filed at 100, live to 500: read, counted and listed by their exact expiry.
      expect(await store.get(renewed[0]!.id)).toEqual(renewed[0]);
      const liveInC0 = renewed.filter((row) => row.channel === 'c0');
      expect(byId(await store.channel('z', 'c0', 150))).toEqual(byId(liveInC0));
      const joiner = rowOf({ scope: 'z', channel: 'c0', actorId: 'new', sessionId: '' }, 150, 400);
      expect(await store.admit(joiner, { maxMembers: liveInC0.length, maxSessionsPerActor: Infinity })).toEqual({ admitted: false, full: 'channel', live: liveInC0.length });
      expect(await store.admit(joiner, { maxMembers: liveInC0.length + 1, maxSessionsPerActor: Infinity })).toEqual({ admitted: true, row: joiner });
      expect(await store.remove(joiner.id)).toEqual(joiner);
      // Far from the member limit only the actor's own sessions are read: a renewed one filed in the past still counts.
      const secondTab = rowOf({ scope: 'z', channel: renewed[0]!.channel, actorId: renewed[0]!.actorId, sessionId: 'tab2' }, 150, 400);
      expect(await store.admit(secondTab, { maxMembers: 10_000, maxSessionsPerActor: 1 })).toEqual({ admitted: false, full: 'actor', live: 1 });

      const first = await store.sweep(200, 500);
      expect(first).toHaveLength(500);
      const second = await store.sweep(200, 1_000);
      expect(byId([...first, ...second])).toEqual(byId(abandoned));
      expect(await store.sweep(200)).toEqual([]);
      // Every renewed row was re-filed under its exact expiry on the way.
      expect(await scores(renewed[0]!)).toEqual(['500', '500']);
      // Half renewed again: an unbounded sweep re-files those (over more than one script) and takes exactly the rest.
      const again = renewed.filter((_, index) => index % 2 === 0).map((row) => ({ ...row, heartbeatAt: 60, expiresAt: 900 }));
      await Promise.all(again.map((row) => store.upsert(row)));
      expect(byId(await store.sweep(600))).toEqual(byId(renewed.filter((_, index) => index % 2 === 1)));
      expect(await backend.client.zcount(keys.expiry, '-inf', 600)).toBe(0);
      expect(byId(await store.sweep(900))).toEqual(byId(again));
      expect(await store.rows()).toEqual([]);
    });

    test('a bounded sweep whose earliest-filed entries were all renewed takes what is missing from the other shards, in a later round', async () => {
      const store = createRedisPresenceStore({ redis: backend.client, keyPrefix: freshPrefix(), shards: 4 });
      const shard = (channel: string) => shardOf(channelJson('r', channel), 4);
      const other = Array.from({ length: 100 }, (_, index) => `b${index}`).find((channel) => shard(channel) !== shard('a'))!;
      const member = (channel: string, index: number, expiresAt: number) => rowOf({ scope: 'r', channel, actorId: `m${index}`, sessionId: '' }, 1, expiresAt);
      const renewed = [0, 1, 2, 3, 4].map((index) => member('a', index, 100));
      const expired = [0, 1, 2, 3, 4].map((index) => member(other, index, 150));
      await Promise.all([...renewed, ...expired].map((row) => store.upsert(row)));
      await Promise.all(renewed.map((row) => store.upsert({ ...row, heartbeatAt: 50, expiresAt: 500 })));
      // The three earliest-filed due entries are renewed rows: the first round finds none of them expired.
      const first = await store.sweep(200, 3);
      expect(first).toHaveLength(3);
      expect(first.every((row) => row.channel === other)).toBe(true);
      expect(byId([...first, ...(await store.sweep(200, 3))])).toEqual(byId(expired));
      expect(await store.sweep(200, 3)).toEqual([]);
      expect(await store.channel('r', 'a', 200)).toHaveLength(5);
    });

    test('after SCRIPT FLUSH (a restarted server, a new master) the scripts load themselves again', async () => {
      const store = backend.store();
      const row = rowOf({ scope: 'f', channel: 'c', actorId: 'a', sessionId: '' }, 1, 2);
      await store.upsert(row);
      const masters = backend.client instanceof Redis ? [backend.client] : backend.client.nodes('master');
      await Promise.all(masters.map((node) => node.script('FLUSH')));
      const renewed = { ...row, heartbeatAt: 3, expiresAt: 4 };
      expect(await store.upsert(renewed)).toEqual(renewed);
      expect(await store.channel('f', 'c', 0)).toEqual([renewed]);
    });

    test('on a server that lacks the scripts, a join and an update of the same row sent together apply in order', async () => {
      const masters = backend.client instanceof Redis ? [backend.client] : backend.client.nodes('master');
      await Promise.all(masters.map((node) => node.script('FLUSH')));
      const store = backend.store();
      await store.upsert(rowOf({ scope: 'n', channel: 'c', actorId: 'first', sessionId: '' }, 1, 10));
      // UPSERT is loaded now, ADMIT is not: a NOSCRIPT retry of the join would land after the update.
      const joining = rowOf({ scope: 'n', channel: 'c', actorId: 'a', sessionId: '' }, 5, 20);
      const [joined, updated] = await Promise.all([store.admit(joining, { maxMembers: 5, maxSessionsPerActor: 5 }), store.update({ ...joining, heartbeatAt: 4, expiresAt: 15 })]);
      expect(joined).toEqual({ admitted: true, row: joining });
      expect(updated).toEqual(joining);
    });

    test('a server that loses its scripts mid-stream (SCRIPT FLUSH) still applies the writes of one lane in the order sent', async () => {
      const store = backend.store();
      const masters = backend.client instanceof Redis ? [backend.client] : backend.client.nodes('master');
      const row = (actorId: string, heartbeatAt: number) => rowOf({ scope: 'm', channel: 'c', actorId, sessionId: '' }, heartbeatAt, heartbeatAt + 10);
      const limits = { maxMembers: 5, maxSessionsPerActor: 5 };
      // Every write path has been sent once, so none goes by EVAL as a first call.
      await store.admit(row('first', 1), limits);
      await store.update(row('first', 1));
      for (const between of [true, false]) {
        await Promise.all(masters.map((node) => node.script('FLUSH')));
        // A write loads the script again before the pair (on main's layout this loaded UPSERT but not ADMIT), or nothing does (both refused).
        if (between) await store.upsert(row('first', 2));
        const joining = row(`j${String(between)}`, 5);
        const later = { ...joining, heartbeatAt: 6, expiresAt: 30 };
        const [joined, updated, renewed] = await Promise.all([store.admit(joining, limits), store.update({ ...joining, heartbeatAt: 4, expiresAt: 15 }), store.update(later)]);
        expect(joined).toEqual({ admitted: true, row: joining });
        expect(updated).toEqual(joining);
        expect(renewed).toEqual(later);
        expect(await store.get(joining.id)).toEqual(later);
      }
    });

    test('rows() pages through large shards and returns every row once', async () => {
      const store = backend.store({ shards: 2 });
      const rows = Array.from({ length: 1_300 }, (_, index) => rowOf({ scope: 'p', channel: `c${index % 3}`, actorId: `a${index}`, sessionId: '' }, 1, 5));
      await Promise.all(rows.map((row) => store.upsert(row)));
      const listed = await store.rows();
      expect(listed.length).toBe(rows.length);
      expect(new Set(listed.map((row) => row.id)).size).toBe(rows.length);
      expect((await store.sweep(5)).length).toBe(rows.length);
    });
  });

suite('redis store (standalone)', async () => {
  if (process.env.PRESENCE_REDIS_URL !== undefined) {
    return { client: new Redis(process.env.PRESENCE_REDIS_URL), dispose: async () => undefined };
  }
  const server: RedisServer = await startRedis();
  return { client: new Redis(server.url), dispose: () => server.dispose() };
});

suite('redis store (3-master cluster)', async () => {
  const cluster: RedisClusterServers = await startRedisCluster();
  return { client: cluster.connect(), dispose: () => cluster.dispose() };
});

describe.skipIf(skip !== undefined)(skip === undefined ? 'redis store on a cluster: layout' : `redis store on a cluster: layout (SKIPPED: ${skip})`, () => {
  let cluster: RedisClusterServers;
  let client: Cluster;
  beforeAll(async () => {
    cluster = await startRedisCluster();
    client = cluster.connect();
  });
  afterAll(async () => {
    if (client !== undefined) await closeRedis(client);
    await cluster?.dispose();
  });

  test('rows spread over every master are all swept, with no CROSSSLOT error', async () => {
    const store = createRedisPresenceStore({ redis: client, keyPrefix: 'layout:' });
    const rows = Array.from({ length: 300 }, (_, index) =>
      rowOf({ scope: `s${index % 7}`, channel: `{room}${index}`, actorId: `a${index}`, sessionId: index % 2 ? '' : 'tab' }, 1, 10 + (index % 5)),
    );
    await Promise.all(rows.map((row) => store.upsert(row)));
    // Which master holds each shard's rows: every one of the three must hold some.
    const masters = cluster.ports.map((port) => new Redis({ port, host: '127.0.0.1' }));
    try {
      const counts = await Promise.all(masters.map(async (master) => Number(await master.dbsize())));
      expect(counts.every((count) => count > 0)).toBe(true);
      const swept = await store.sweep(100);
      expect(swept.map((row) => row.id).sort()).toEqual(rows.map((row) => row.id).sort());
      const after = await Promise.all(masters.map(async (master) => Number(await master.dbsize())));
      expect(after).toEqual([0, 0, 0]);
    } finally {
      await Promise.all(masters.map(closeRedis));
    }
  });

  test('shards land on all masters', () => {
    const shards = new Set(Array.from({ length: 2_000 }, (_, index) => shardOf(JSON.stringify(['s', `c${index}`]), 128)));
    expect(shards.size).toBe(128);
  });
});

describe('redis store options', () => {
  test('the scripts call only commands Redis 3.0 has, with no option a later version added (ZADD GT/LT/CH, ...)', () => {
    // What "supported servers" in the module documentation rests on: every command and option of every script.
    const redis30 = new Set(['HGET', 'HSET', 'HDEL', 'HSCAN', 'ZADD', 'ZREM', 'ZRANGE', 'ZRANGEBYSCORE', 'ZCOUNT']);
    const sources = Object.values(scripts).flatMap((value) => (typeof value === 'object' && 'source' in value ? [value.source] : []));
    expect(sources.length).toBe(8);
    const calls = sources.flatMap((source) => [...source.matchAll(/redis\.p?call\(([^)]*)\)/g)].map((match) => match[1]!));
    expect(calls.length).toBeGreaterThan(20);
    for (const call of calls) {
      const [command, ...rest] = call.split(',').map((part) => part.trim());
      expect(redis30).toContain(command!.replaceAll("'", ''));
      // Quoted options after the command: only those every version knows.
      for (const option of rest.filter((part) => /^'[^']*'$/.test(part))) expect(["'-inf'", "'+inf'", "'LIMIT'", "'WITHSCORES'", "'COUNT'"]).toContain(option);
    }
  });

  const client: RedisScriptClient = { evalsha: async () => null, eval: async () => null };
  test('rejects a missing client, braces in the prefix, bad shard counts and timeouts', () => {
    expect(() => createRedisPresenceStore({ redis: {} as RedisScriptClient })).toThrow(PresenceConfigError);
    expect(() => createRedisPresenceStore(undefined as never)).toThrow(PresenceConfigError);
    for (const keyPrefix of ['a{b', 'a}', 7 as unknown as string]) {
      expect(() => createRedisPresenceStore({ redis: client, keyPrefix })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    }
    for (const shards of [0, 1.5, 16_385, Number.NaN]) {
      expect(() => createRedisPresenceStore({ redis: client, shards })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    }
    for (const timeoutMs of [0, -1, Number.POSITIVE_INFINITY]) {
      expect(() => createRedisPresenceStore({ redis: client, timeoutMs })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    }
    for (const crossShardBatches of [1, 'yes', 0]) {
      expect(() => createRedisPresenceStore({ redis: client, crossShardBatches: crossShardBatches as unknown as boolean })).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringContaining('crossShardBatches must be a boolean') }),
      );
    }
  });

  test('a write still queued when its deadline passes is never sent and fails STORE_UNAVAILABLE; the two out fail STORE_TIMEOUT', async () => {
    vi.useFakeTimers();
    try {
      const replies: (() => void)[] = [];
      const send = () => new Promise<unknown>((resolve) => replies.push(() => resolve(1)));
      const store = createRedisPresenceStore({ redis: { isCluster: false, evalsha: send, eval: send } as RedisScriptClient, timeoutMs: 100 });
      const rows = ['a', 'b', 'c'].map((actorId) => rowOf({ scope: 'q', channel: 'c', actorId, sessionId: '' }, 1, 9));
      const settled = rows.map((row) => Promise.resolve(store.upsert(row)).then(() => 'stored', (error: PresenceError) => error.code));
      // Two calls in flight per lane; the third write waits for one.
      expect(replies).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(101);
      for (const reply of replies.splice(0)) reply();
      await vi.runAllTimersAsync();
      expect(replies).toHaveLength(0);
      expect(await Promise.all(settled)).toEqual(['STORE_TIMEOUT', 'STORE_TIMEOUT', 'STORE_UNAVAILABLE']);
      // The lane goes on: the next write is sent and stored.
      const next = Promise.resolve(store.upsert(rows[2]!));
      expect(replies).toHaveLength(1);
      replies[0]!();
      expect(await next).toEqual(rows[2]);
    } finally {
      vi.useRealTimers();
    }
  });

  test('a client whose reply is malformed or throws synchronously reports STORE_UNAVAILABLE', async () => {
    const store = createRedisPresenceStore({ redis: client });
    await expect(store.upsert(rowOf({ scope: '', channel: '', actorId: '', sessionId: '' }, 1, 2))).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    const throwing = createRedisPresenceStore({
      redis: {
        evalsha: () => {
          throw new Error('boom');
        },
        // The first call of a script goes by EVAL.
        eval: () => {
          throw new Error('boom');
        },
      },
    });
    await expect(throwing.rows()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', cause: expect.any(Error) });
    const rejectingWithText = createRedisPresenceStore({ redis: { evalsha: () => Promise.reject('down'), eval: () => Promise.reject('down') } });
    await expect(rejectingWithText.get('["","","",""]')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', message: '[STORE_UNAVAILABLE] redis store: get failed: down' });
  });
});
