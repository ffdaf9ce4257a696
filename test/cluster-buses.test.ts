/**
 * The reference cluster buses on real servers (Redis pub/sub, PostgreSQL
 * LISTEN/NOTIFY): a batch crosses from one bus instance to others intact,
 * reaches every subscriber in order, stops at unsubscribe, survives the
 * 8000-byte NOTIFY limit, is lost (never replayed) for a subscriber whose
 * connection was down, and `close` leaves no connection behind. Waits are
 * conditions with deadlines; the only timer is the reconnect gate, which
 * the test opens by hand.
 */
import { Redis } from 'ioredis';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ClosableClusterBus } from '../examples/buses/closable-bus.js';
import type { ClusterMessage } from '../spec/engine/cluster.js';
import { encodeClusterMessage } from '../examples/buses/codec.js';
import type { ListenerOptions } from '../examples/buses/listener.js';
import { createPostgresClusterBus } from '../examples/buses/pg-bus.js';
import { createRedisClusterBus } from '../examples/buses/redis-bus.js';
import { waitFor } from './servers/process.js';
import { closePool, openPool, postgresSkipReason, startPostgres, type PostgresServer } from './servers/postgres.js';
import { closeRedis, redisSkipReason, startRedis, type RedisServer } from './servers/redis.js';

interface BusOptions {
  channel: string;
  onError?: (error: unknown) => void;
  reconnectDelay?: ListenerOptions['reconnectDelay'];
}

/** One bus technology, as the suite drives it. */
interface Backend {
  /** A bus instance, as one node would make it. */
  bus(options: BusOptions): ClosableClusterBus;
  /** Cuts every listening connection on `channel` from the server side. */
  dropListeners(channel: string): Promise<void>;
  /** Listening connections the server still has open on `channel`. */
  listeners(channel: string): Promise<number>;
  /** Puts a raw payload on `channel`, bypassing the bus. */
  raw(channel: string, payload: string): Promise<void>;
}

let channels = 0;
const freshChannel = () => `bus_${process.pid}_${(channels += 1)}`;

const message = (origin: string, index: number, extra: Record<string, unknown> = {}): ClusterMessage => ({
  origin,
  originVersion: index,
  changes: [{ table: 'presence', change: { op: 'update', row: { id: `row-${index}`, ...extra } } }],
});

/** Collects what one subscription delivers. */
const inbox = () => {
  const received: ClusterMessage[] = [];
  return {
    received,
    onMessage: (delivered: ClusterMessage) => void received.push(delivered),
    until: (what: string, done: () => boolean) => waitFor(what, async () => done(), 15_000),
  };
};

const versions = (received: ClusterMessage[]) => received.map((delivered) => delivered.originVersion);

const suite = (label: string, skip: string | undefined, setup: () => Promise<{ backend: Backend; dispose: () => Promise<void> }>) =>
  describe.skipIf(skip !== undefined)(skip === undefined ? label : `${label} (SKIPPED: ${skip})`, () => {
    let backend: Backend;
    let dispose: () => Promise<void> = async () => undefined;
    const buses: ClosableClusterBus[] = [];
    const bus = (options: BusOptions) => {
      const made = backend.bus(options);
      buses.push(made);
      return made;
    };

    beforeAll(async () => {
      ({ backend, dispose } = await setup());
    });
    afterAll(async () => {
      await Promise.all(buses.map((made) => made.close()));
      await dispose();
    });

    test('a batch published on one bus instance arrives intact on another: unicode, NUL, lone surrogates, bigint keys', async () => {
      const channel = freshChannel();
      const [a, b] = [bus({ channel }), bus({ channel })];
      const box = inbox();
      await b.subscribe(box.onMessage);
      const sent = message('node-a', 1, { key: 2n ** 64n + 1n, name: 'Zoë \u0000 \ud83d\ude00 \ud800 "quoted" \\', state: { $bigint: 'not a bigint' } });
      await a.publish(sent);
      await box.until('the batch on b', () => box.received.length === 1);
      expect(box.received).toEqual([sent]);
    });

    test('every subscriber, on every instance, gets every batch in publish order', async () => {
      const channel = freshChannel();
      const publisher = bus({ channel });
      const boxes = [inbox(), inbox(), inbox()];
      await Promise.all(boxes.map((box, index) => Promise.resolve(bus({ channel }).subscribe(box.onMessage)).then(() => index)));
      // A second subscription on one instance is a second listener, not a shared one.
      const twin = inbox();
      await buses.at(-1)!.subscribe(twin.onMessage);
      for (let index = 1; index <= 20; index += 1) await publisher.publish(message('p', index));
      const all = [...boxes, twin];
      await waitFor('20 batches on every subscriber', async () => all.every((box) => box.received.length === 20), 15_000);
      for (const box of all) expect(versions(box.received)).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    });

    test('unsubscribe stops delivery to that subscriber only, and closes its connection', async () => {
      const channel = freshChannel();
      const publisher = bus({ channel });
      const [kept, dropped] = [inbox(), inbox()];
      await bus({ channel }).subscribe(kept.onMessage);
      const stop = await bus({ channel }).subscribe(dropped.onMessage);
      await publisher.publish(message('p', 1));
      await waitFor('batch 1 on both', async () => kept.received.length === 1 && dropped.received.length === 1);
      await stop();
      await waitFor('one listener left on the server', async () => (await backend.listeners(channel)) === 1);
      await publisher.publish(message('p', 2));
      await kept.until('batch 2 on the kept subscriber', () => kept.received.length === 2);
      expect(versions(dropped.received)).toEqual([1]);
      await stop();
    });

    test('a batch far over 8000 bytes arrives whole, also when two are published at once', async () => {
      const channel = freshChannel();
      const [a, b, listener] = [bus({ channel }), bus({ channel }), bus({ channel })];
      const box = inbox();
      await listener.subscribe(box.onMessage);
      const big = (origin: string, index: number): ClusterMessage => ({
        origin,
        originVersion: index,
        changes: Array.from({ length: 400 }, (_, row) => ({ table: 'presence', change: { op: 'insert', row: { id: `${origin}-${row}`, name: `Ünïcødé ${row} 😀`, bytes: 'x'.repeat(40) } } })),
      });
      expect(encodeClusterMessage(big('a', 1)).length).toBeGreaterThan(40_000);
      await Promise.all([a.publish(big('a', 1)), b.publish(big('b', 1)), a.publish(big('a', 2))]);
      await box.until('three large batches', () => box.received.length === 3);
      const byOrigin = (origin: string) => box.received.filter((delivered) => delivered.origin === origin);
      expect(byOrigin('a')).toEqual([big('a', 1), big('a', 2)]);
      expect(byOrigin('b')).toEqual([big('b', 1)]);
    });

    test('a subscriber whose connection drops misses what was published meanwhile (at-most-once), then gets what follows', async () => {
      const channel = freshChannel();
      const publisher = bus({ channel });
      const errors: unknown[] = [];
      let openGate: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (openGate = resolve));
      const box = inbox();
      await bus({ channel, onError: (error) => errors.push(error), reconnectDelay: () => gate }).subscribe(box.onMessage);
      await publisher.publish(message('p', 1));
      await box.until('batch 1', () => box.received.length === 1);
      await backend.dropListeners(channel);
      // The bus saw its connection go; it stays down until the gate opens.
      await waitFor('the loss reported', async () => errors.length > 0);
      await publisher.publish(message('p', 2));
      openGate();
      // Probe until the reopened connection hears: then batch 2, if it were coming, is long past.
      let probe = 100;
      await waitFor('the reopened listener', async () => {
        await publisher.publish(message('p', (probe += 1)));
        return box.received.length > 1;
      });
      expect(versions(box.received)).not.toContain(2);
      expect(versions(box.received)[0]).toBe(1);
      expect(versions(box.received).slice(1).every((version) => version! > 100)).toBe(true);
    });

    test('a payload on the channel that is not a batch goes to onError, and delivery goes on', async () => {
      const channel = freshChannel();
      const errors: unknown[] = [];
      const box = inbox();
      await bus({ channel, onError: (error) => errors.push(error) }).subscribe(box.onMessage);
      await backend.raw(channel, 'not a batch');
      await bus({ channel }).publish(message('p', 1));
      await box.until('the good batch', () => box.received.length === 1);
      expect(errors).toEqual([expect.objectContaining({ code: 'BAD_CLUSTER_MESSAGE' })]);
    });

    test('close ends every subscription and its connection, also one waiting to reconnect', async () => {
      const channel = freshChannel();
      const errors: unknown[] = [];
      const held = backend.bus({ channel, onError: (error) => errors.push(error) });
      const waiting = backend.bus({ channel, onError: (error) => errors.push(error), reconnectDelay: () => new Promise(() => undefined) });
      await Promise.all([held.subscribe(() => undefined), held.subscribe(() => undefined), waiting.subscribe(() => undefined)]);
      expect(await backend.listeners(channel)).toBe(3);
      await backend.dropListeners(channel);
      await waitFor('the losses reported', async () => errors.length > 0);
      await held.close();
      // The reconnect delay never ends: close must not wait for it.
      await waiting.close();
      await waitFor('no listener left on the server', async () => (await backend.listeners(channel)) === 0);
      await held.close();
    });
  });

suite('cluster bus over Redis pub/sub', redisSkipReason(), async () => {
  const server: RedisServer | undefined = process.env.PRESENCE_REDIS_URL === undefined ? await startRedis() : undefined;
  const url = process.env.PRESENCE_REDIS_URL ?? server!.url;
  const admin = new Redis(url);
  const publishers: Redis[] = [];
  const backend: Backend = {
    bus: (options) => {
      const redis = new Redis(url, { connectionName: options.channel });
      publishers.push(redis);
      return createRedisClusterBus({ redis, ...options });
    },
    // A bus's connections are named for its channel (the subscriber's is duplicated from the publisher's).
    dropListeners: async (channel) => {
      const clients = String(await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')).split('\n');
      const ids = clients.filter((line) => line.includes(` name=${channel} `)).map((line) => /\bid=(\d+)/.exec(line)![1]!);
      for (const id of ids) await admin.client('KILL', 'ID', id);
    },
    listeners: async (channel) => Number(((await admin.pubsub('NUMSUB', channel)) as [string, number])[1]),
    raw: async (channel, payload) => void (await admin.publish(channel, payload)),
  };
  return {
    backend,
    dispose: async () => {
      await Promise.all([admin, ...publishers].map((client) => closeRedis(client)));
      await server?.dispose();
    },
  };
});

suite('cluster bus over PostgreSQL LISTEN/NOTIFY', postgresSkipReason(), async () => {
  const server: PostgresServer | undefined = process.env.PRESENCE_PG_URL === undefined ? await startPostgres() : undefined;
  const url = process.env.PRESENCE_PG_URL ?? server!.url;
  const admin = openPool({ connectionString: url, max: 2 });
  const pools: pg.Pool[] = [];
  const listening = (channel: string) => `SELECT pid FROM pg_stat_activity WHERE query = 'LISTEN "${channel}"' AND pid <> pg_backend_pid()`;
  const backend: Backend = {
    bus: (options) => {
      const pool = openPool({ connectionString: url, max: 4 });
      pools.push(pool);
      return createPostgresClusterBus({ pool, ...options });
    },
    dropListeners: async (channel) => void (await admin.query(`SELECT pg_terminate_backend(pid) FROM (${listening(channel)}) AS listening`)),
    listeners: async (channel) => (await admin.query(listening(channel))).rowCount ?? 0,
    raw: async (channel, payload) => void (await admin.query('SELECT pg_notify($1, $2)', [channel, payload])),
  };
  return {
    backend,
    dispose: async () => {
      await Promise.all([admin, ...pools].map((pool) => closePool(pool)));
      await server?.dispose();
    },
  };
});
