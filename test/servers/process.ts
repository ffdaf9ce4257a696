/**
 * Test plumbing shared by the server helpers: free loopback ports, bounded
 * waits, binary lookup, and child processes that never outlive the test run.
 *
 * @module
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Every server process started by this worker; killed on exit if a test forgot. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Whether tests run under CI, where a missing server binary is a failure, not a skip. */
export const isCI = process.env.CI === 'true';

/**
 * A free TCP port on 127.0.0.1 (and, with `alsoFree`, the port that offset
 * away, e.g. a Redis Cluster bus port).
 */
export const freePort = async (alsoFree?: number): Promise<number> => {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = await listenOnce(0);
    if (alsoFree === undefined || port + alsoFree > 65_535) {
      if (alsoFree === undefined) return port;
      continue;
    }
    if ((await listenOnce(port + alsoFree).catch(() => -1)) !== -1) return port;
  }
  throw new Error('no free port pair found on 127.0.0.1');
};

const listenOnce = (port: number): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const chosen = typeof address === 'object' && address !== null ? address.port : port;
      server.close(() => resolve(chosen));
    });
  });

/** Polls `probe` until it returns true, for at most `timeoutMs`. */
export const waitFor = async (what: string, probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
};

/** Resolves with `work`, or rejects naming `what` if it takes longer than `timeoutMs`. */
export const within = async <T>(timeoutMs: number, what: string, work: Promise<T>): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
};

/** The path of an executable on PATH or in one of `extraDirs`, or `undefined`. */
export const findBinary = (name: string, extraDirs: string[] = []): string | undefined => {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), ...extraDirs]) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
};

/** Debian's versioned PostgreSQL bin directories, newest first. */
export const postgresBinDirs = (): string[] => {
  try {
    return readdirSync('/usr/lib/postgresql')
      .sort((a, b) => Number(b) - Number(a))
      .map((version) => `/usr/lib/postgresql/${version}/bin`);
  } catch {
    return [];
  }
};

/** A fresh temporary directory for one server's data. */
export const tempDir = (label: string): string => mkdtempSync(join(tmpdir(), `presence-${label}-`));

/** A throwaway server a test owns, on loopback; each helper documents what `stop` keeps. */
export interface OwnedServer {
  /** Its port on 127.0.0.1. */
  readonly port: number;
  /** Its connection URL. */
  readonly url: string;
  /** Stops it the server's normal way. */
  stop(): Promise<void>;
  /** Kills it at once (SIGKILL), as a crash. */
  kill(): Promise<void>;
  /** Starts it again on the same port. */
  restart(): Promise<void>;
  /** Stops it for good and removes its directory. */
  dispose(): Promise<void>;
}

/** Tries `attempt` up to three times: a free port can be taken by another worker before the server binds it. */
export const retried = async <T>(attempt: () => Promise<T>): Promise<T> => {
  for (let tries = 1; ; tries += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (tries >= 3) throw error;
    }
  }
};

/** A started server process with its captured output. */
export interface ServerProcess {
  /** The child. */
  readonly child: ChildProcess;
  /** Everything it wrote so far (for error messages). */
  output(): string;
  /** Resolves once it has exited. */
  readonly exited: Promise<void>;
}

/** Starts a server process, tracked so it is killed when the worker exits. */
export const startProcess = (command: string, args: string[], options: SpawnOptions = {}): ServerProcess => {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  live.add(child);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      live.delete(child);
      resolve();
    });
    child.once('error', (error) => {
      output += String(error);
      live.delete(child);
      resolve();
    });
  });
  return { child, output: () => output, exited };
};

/** Sends `signal`, then SIGKILL if it has not exited within `graceMs`. */
export const stopProcess = async (server: ServerProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> => {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill(signal);
  const timer = setTimeout(() => server.child.kill('SIGKILL'), graceMs);
  await server.exited;
  clearTimeout(timer);
};

/** Runs a command to completion (bounded); rejects with its output on failure. */
export const runCommand = (command: string, args: string[], options: SpawnOptions = {}, timeoutMs = 60_000): Promise<string> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}: ${output}`));
    });
  });

/**
 * Whether a server binary is usable. Missing under CI throws (a loud
 * failure); missing locally returns the skip reason to print.
 */
export const requireBinary = (found: string | undefined, label: string, install: string): string | undefined => {
  if (found !== undefined) return undefined;
  const reason = `${label} not installed: ${install}`;
  if (isCI) throw new Error(`${reason} (required under CI)`);
  console.warn(`SKIPPED: ${reason}`);
  return reason;
};
