/**
 * Drives `presence-node.mjs` child processes: each is one engine node with
 * its own connection to the shared store, answering commands over IPC.
 *
 * @module
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';

const script = fileURLToPath(new URL('./presence-node.mjs', import.meta.url));
const built = fileURLToPath(new URL('../../dist/src/stores/redis.js', import.meta.url));

/** A cluster bus channel on the store's own server (Redis pub/sub, PostgreSQL LISTEN/NOTIFY). */
export interface NodeBus {
  /** Every node of one test cluster uses the same channel. */
  channel: string;
}

/** How a node reaches the shared store, and (`bus`) the other nodes' commits. */
export type NodeBackend =
  | { backend: 'redis'; url: string; keyPrefix: string; bus?: NodeBus }
  | { backend: 'cluster'; ports: number[]; keyPrefix: string }
  | { backend: 'postgres'; url: string; table: string; bus?: NodeBus };

/** An error a node reported, with the `code` of a `PresenceError`. */
export class NodeCallError extends Error {
  /** The remote error's code, if any. */
  readonly code: string | undefined;

  /** @param remote - what the node sent back */
  constructor(remote: { name?: string; code?: string; message: string }) {
    super(remote.message);
    this.name = remote.name ?? 'Error';
    this.code = remote.code;
  }
}

/** One engine node in its own process. */
export interface EngineNode {
  /** The child's pid. */
  readonly pid: number;
  /** Sends one command and resolves with its answer (bounded). */
  call<T = unknown>(op: string, args?: Record<string, unknown>): Promise<T>;
  /** SIGKILL, as a crash: no cleanup, no goodbye. */
  kill(): Promise<void>;
  /** Disconnects and waits for a clean exit (SIGKILL after a grace period). */
  stop(): Promise<void>;
}

const CALL_TIMEOUT_MS = 30_000;

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Whether `dist/` has been built (the global setup does it). */
export const builtPackageMissing = (): string | undefined =>
  existsSync(built) ? undefined : 'dist/ is not built: run `npx tsc -p tsconfig.build.json` (the vitest global setup does)';

/** Forks a node and waits until its store is connected. */
export const startNode = async (backend: NodeBackend): Promise<EngineNode> => {
  const child = fork(script, [JSON.stringify(backend)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => (live.delete(child), resolve())));
  let next = 0;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  child.on('message', (message: { id?: number; ok?: boolean; value?: unknown; error?: { message: string } }) => {
    if (message.id === undefined) return;
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.ok) waiter?.resolve(message.value);
    else waiter?.reject(new NodeCallError(message.error ?? { message: 'unknown error' }));
  });
  child.once('exit', (code, signal) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`node exited (${code ?? signal}) with a call in flight`));
    pending.clear();
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('node did not start within 20 s')), 20_000);
    child.once('message', () => (clearTimeout(timer), resolve()));
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`node exited with ${code} before it was ready`))));
  });
  return {
    pid: child.pid!,
    call: <T>(op: string, args: Record<string, unknown> = {}) =>
      new Promise<T>((resolve, reject) => {
        const id = (next += 1);
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`node call ${op} timed out after ${CALL_TIMEOUT_MS} ms`));
        }, CALL_TIMEOUT_MS);
        pending.set(id, {
          resolve: (value) => (clearTimeout(timer), resolve(value as T)),
          reject: (error) => (clearTimeout(timer), reject(error)),
        });
        child.send({ id, op, args });
      }),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
};

/**
 * The nodes of one `describe` block: `setup` runs before its tests (after
 * checking that dist/ is built), and afterwards every node `spawn` started is
 * stopped before `setup`'s `dispose` runs.
 */
export const nodeGroup = <Fresh>(setup: () => Promise<{ backend: Fresh; dispose: () => Promise<void> }>) => {
  let fresh: Fresh | undefined;
  let dispose: () => Promise<void> = async () => undefined;
  const nodes: EngineNode[] = [];
  beforeAll(async () => {
    const missing = builtPackageMissing();
    if (missing !== undefined) throw new Error(missing);
    ({ backend: fresh, dispose } = await setup());
  });
  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    await dispose();
  });
  return {
    /** What `setup` returned as `backend` (a way to get a fresh namespace). */
    fresh: (): Fresh => fresh!,
    /** Starts `count` nodes on `backend`. */
    spawn: async (backend: NodeBackend, count: number): Promise<EngineNode[]> => {
      const started = await Promise.all(Array.from({ length: count }, () => startNode(backend)));
      nodes.push(...started);
      return started;
    },
    /** Sets the clock of every node in `targets`. */
    setClock: (targets: EngineNode[], at: number) => Promise.all(targets.map((node) => node.call('clock', { at }))),
  };
};
