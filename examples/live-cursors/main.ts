/**
 * `npm run demo`: starts the live-cursors demo on the in-memory store.
 * `PORT` (default 3000; 0 for any free port) and `TTL_SEC` (the heartbeat TTL,
 * default 10) are read from the environment.
 *
 * With `REDIS_URL`, the store is Redis and the server joins the others on
 * that Redis over the reference pub/sub bus (examples/buses): start two on
 * different ports and a page on each sees the other. `REDIS_PREFIX` (default
 * `live-cursors:`) namespaces the keys and the bus channel.
 *
 * @module
 */
import { Redis } from 'ioredis';
import { createRedisClusterBus } from '../buses/redis-bus.js';
import { createRedisPresenceStore } from '../../src/stores/redis.js';
import { startLiveCursorsServer, type LiveCursorsOptions } from './server.js';

const port = Number(process.env['PORT'] ?? 3000);
const heartbeatTtlSec = Number(process.env['TTL_SEC'] ?? 10);
const redisUrl = process.env['REDIS_URL'];
const prefix = process.env['REDIS_PREFIX'] ?? 'live-cursors:';

/** The shared store and bus when `REDIS_URL` is set, else nothing (the in-memory store, one node). */
const clustered = (): { options: LiveCursorsOptions; close: () => Promise<void> } => {
  if (redisUrl === undefined) return { options: { pack: { heartbeatTtlSec } }, close: async () => undefined };
  const redis = new Redis(redisUrl);
  const bus = createRedisClusterBus({ redis, channel: `${prefix}cluster` });
  return {
    options: { pack: { heartbeatTtlSec, store: createRedisPresenceStore({ redis, keyPrefix: prefix }) }, cluster: bus },
    close: async () => {
      await bus.close();
      redis.disconnect();
    },
  };
};

const { options, close } = clustered();
const server = await startLiveCursorsServer({ port, cleanupEveryMs: 1000, ...options });
const where = redisUrl === undefined ? 'in-memory store' : `Redis store and bus at ${redisUrl}`;
console.log(`live cursors (${where}): open ${server.url}/?user=Ada and ${server.url}/?user=Grace in two windows (Ctrl-C stops)`);
const stop = () => void server.close().then(close).then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
