/**
 * The presence pack certified on the Redis store (standalone and 3-master
 * Cluster): every pack invariant of the spec kit, through the reference
 * engine with live subscriptions.
 */
import { Redis, type Cluster } from 'ioredis';
import { afterAll, beforeAll, describe } from 'vitest';
import { createRedisPresenceStore } from '../src/stores/redis.js';
import { closeRedis, redisSkipReason, startRedis, startRedisCluster } from './servers/redis.js';
import { certifyPackEachInvariant } from './servers/store-cases.js';

const skip = redisSkipReason();
let prefixes = 0;

const suite = (label: string, connect: () => Promise<{ client: Redis | Cluster; dispose: () => Promise<void> }>) =>
  describe.skipIf(skip !== undefined)(skip === undefined ? label : `${label} (SKIPPED: ${skip})`, () => {
    let client: Redis | Cluster;
    let dispose: () => Promise<void> = async () => undefined;
    beforeAll(async () => {
      ({ client, dispose } = await connect());
    });
    afterAll(async () => {
      if (client !== undefined) await closeRedis(client);
      await dispose();
    });
    certifyPackEachInvariant(() => ({
      create: () => createRedisPresenceStore({ redis: client, keyPrefix: `pk${process.pid}-${(prefixes += 1)}:` }),
    }));
  });

suite('presence pack on the redis store (standalone)', async () => {
  if (process.env.PRESENCE_REDIS_URL !== undefined) return { client: new Redis(process.env.PRESENCE_REDIS_URL), dispose: async () => undefined };
  const server = await startRedis();
  return { client: new Redis(server.url), dispose: () => server.dispose() };
});

suite('presence pack on the redis store (3-master cluster)', async () => {
  const cluster = await startRedisCluster();
  return { client: cluster.connect(), dispose: () => cluster.dispose() };
});
