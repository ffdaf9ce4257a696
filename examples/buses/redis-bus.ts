/**
 * A minimal reference `ClusterBus` over Redis pub/sub (ioredis), for this
 * package's tests, bench and demo. Production users take the published
 * `@absolutejs/sync-bus-redis`, which has the same contract.
 *
 * Publishing uses the caller's connection; each `subscribe` opens its own
 * dedicated connection (a subscribed Redis connection can run nothing else),
 * duplicated from the caller's, and reopens it when it drops. Delivery is
 * at-most-once: a batch published while a subscriber's connection is down
 * never reaches it.
 *
 * @module
 */
import type { Redis } from 'ioredis';
import type { ClosableClusterBus } from './closable-bus.js';
import { deliverPayload, encodeClusterMessage } from './codec.js';
import { backoffDelay, listening, listeningBus, type ListenerOptions } from './listener.js';

/** `createRedisClusterBus` options. */
export interface RedisClusterBusOptions {
  /** Publishes, and is duplicated for each subscriber; the caller owns and closes it. */
  redis: Redis;
  /** The pub/sub channel; every node of one cluster uses the same. Default `presence:cluster`. */
  channel?: string;
  /** Told of undecodable payloads and listener connection losses; default `console.warn`. */
  onError?: (error: unknown) => void;
  /** Wait before reopening a lost subscriber connection; default 100 ms doubling to 5 s. */
  reconnectDelay?: ListenerOptions['reconnectDelay'];
}

const closeConnection = async (connection: Redis): Promise<void> => {
  if (connection.status === 'end') return;
  const ended = new Promise<void>((resolve) => connection.once('end', () => resolve()));
  connection.disconnect();
  await ended;
};

/** A bus over Redis pub/sub on `options.channel`. */
export const createRedisClusterBus = (options: RedisClusterBusOptions): ClosableClusterBus => {
  const { redis, channel = 'presence:cluster', onError = (error: unknown) => console.warn(error), reconnectDelay = backoffDelay } = options;
  return listeningBus({
    reconnectDelay,
    onError,
    publish: async (message) => void (await redis.publish(channel, encodeClusterMessage(message))),
    open: (onMessage, lost) => {
      // The listener reconnects, not ioredis: it must know when a gap began.
      const connection = redis.duplicate({ lazyConnect: true, retryStrategy: () => null, autoResubscribe: false, enableOfflineQueue: false });
      connection.on('error', () => undefined);
      connection.on('message', (from: string, payload: string) => {
        if (from === channel) deliverPayload(payload, onMessage, onError);
      });
      const start = async () => {
        await connection.connect();
        await connection.subscribe(channel);
      };
      return listening({ start, close: () => closeConnection(connection), ended: (callback) => void connection.once('end', callback) }, lost);
    },
  });
};
