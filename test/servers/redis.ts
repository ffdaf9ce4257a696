/**
 * Starts and stops throwaway Redis servers (standalone and a 3-master
 * Cluster) on loopback for the tests, or points at `PRESENCE_REDIS_URL`.
 *
 * @module
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { redisBinaries } from './availability.js';
import { freePort, requireBinary, retried, runCommand, startProcess, stopProcess, tempDir, waitFor, within, type OwnedServer, type ServerProcess } from './process.js';

const binaries = redisBinaries();
/** `redis-server` on PATH, or `undefined`. */
export const redisServerBinary = binaries.server;
/** `redis-cli` on PATH, or `undefined`. */
export const redisCliBinary = binaries.cli;

/** Why the Redis suites must skip (locally), or `undefined` when they can run; throws under CI. */
export const redisSkipReason = (): string | undefined =>
  process.env.PRESENCE_REDIS_URL !== undefined && redisServerBinary === undefined
    ? undefined
    : requireBinary(redisServerBinary && redisCliBinary, 'redis-server', 'apt-get install -y redis-server (no npm package ships it)');

/** Client options for fail-fast behaviour during outages (what the docs recommend). */
export const failFastRedisOptions: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  retryStrategy: () => 100,
  lazyConnect: false,
};

/**
 * Disconnects a client (standalone or Cluster) and, if it had a socket open,
 * waits until it is closed, so a server stopped next never sees a live
 * connection. A client that is reconnecting has no socket: nothing to wait for.
 */
export const closeRedis = async (client: Redis | Cluster): Promise<void> => {
  const connected = client.status === 'connecting' || client.status === 'connect' || client.status === 'ready';
  const ended = connected ? new Promise<void>((resolve) => client.once('end', () => resolve())) : Promise.resolve();
  client.disconnect();
  await within(10_000, 'a Redis client to close its connection', ended);
};

/**
 * One standalone Redis we own, at `redis://127.0.0.1:port`. `stop` is
 * SIGTERM and nothing is persisted: `restart` brings it back empty.
 */
export type RedisServer = OwnedServer;

const ping = async (port: number): Promise<boolean> => {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } finally {
    await closeRedis(client);
  }
};

const launch = async (port: number, dir: string, extra: string[] = []): Promise<ServerProcess> => {
  const server = startProcess(redisServerBinary!, [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
    '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--protected-mode', 'no', ...extra,
  ]);
  try {
    await waitFor(`redis-server on ${port}`, () => ping(port), 10_000);
  } catch (error) {
    await stopProcess(server, 'SIGKILL');
    throw new Error(`${(error as Error).message}\n${server.output()}`);
  }
  return server;
};

/** Starts a standalone Redis on a free loopback port. */
export const startRedis = (): Promise<RedisServer> => retried(startRedisOnce);

const startRedisOnce = async (): Promise<RedisServer> => {
  const port = await freePort();
  const dir = tempDir('redis');
  let server: ServerProcess | undefined = await launch(port, dir).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  const stop = async (signal: NodeJS.Signals) => {
    if (server !== undefined) await stopProcess(server, signal);
    server = undefined;
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: () => stop('SIGTERM'),
    kill: () => stop('SIGKILL'),
    restart: async () => {
      await stop('SIGTERM');
      server = await launch(port, dir);
    },
    dispose: async () => {
      await stop('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

/** A 3-master Redis Cluster we own. */
export interface RedisClusterServers {
  /** The masters' ports on 127.0.0.1. */
  readonly ports: number[];
  /** A connected ioredis `Cluster`; the caller disconnects it. */
  connect(options?: ClusterOptions): Cluster;
  /** Stops master `index` (SIGTERM). */
  stopNode(index: number): Promise<void>;
  /** Starts master `index` again with its cluster config, and waits for `cluster_state:ok`. */
  restartNode(index: number): Promise<void>;
  /** Stops every node and removes their directories. */
  dispose(): Promise<void>;
}

/** Starts three cluster-enabled servers, joins them (no replicas) and waits for `cluster_state:ok`. */
export const startRedisCluster = (): Promise<RedisClusterServers> => retried(startRedisClusterOnce);

const startRedisClusterOnce = async (): Promise<RedisClusterServers> => {
  const ports: number[] = [];
  const nodes: ServerProcess[] = [];
  const dir = tempDir('redis-cluster');
  const dispose = async () => {
    await Promise.all(nodes.map((node) => stopProcess(node)));
    rmSync(dir, { recursive: true, force: true });
  };
  const clusterArgs = (port: number) => ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--cluster-node-timeout', '2000'];
  const healthy = () =>
    waitFor(
      'cluster_state:ok on every node',
      async () => {
        const states = await Promise.all(ports.map((port) => runCommand(redisCliBinary!, ['-p', String(port), 'cluster', 'info'], {}, 5_000)));
        return states.every((info) => info.includes('cluster_state:ok'));
      },
      20_000,
    );
  try {
    for (let index = 0; index < 3; index += 1) {
      // The cluster bus listens on port + 10000.
      const port = await freePort(10_000);
      ports.push(port);
      nodes.push(await launch(port, dir, clusterArgs(port)));
    }
    await runCommand(redisCliBinary!, ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'], {}, 30_000);
    await healthy();
  } catch (error) {
    await dispose();
    throw error;
  }
  return {
    ports,
    connect: (options = {}) => new Cluster(ports.map((port) => ({ host: '127.0.0.1', port })), options),
    stopNode: (index) => stopProcess(nodes[index]!),
    restartNode: async (index) => {
      await stopProcess(nodes[index]!);
      nodes[index] = await launch(ports[index]!, dir, clusterArgs(ports[index]!));
      await healthy();
    },
    dispose,
  };
};
