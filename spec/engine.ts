/**
 * The reference engine: the part of `@absolutejs/sync`'s `SyncEngine` that
 * packs use, behaving as `ENGINE_CONTRACT.md` describes, including its
 * documented weaknesses (non-atomic `registerPack`, the subscribe race, fan-out
 * failures rejecting committed mutations, update rules judging the old row).
 * Method names, signatures and error messages are the engine's (2.16: see
 * docs/ARCHITECTURE.md, "The real engine's surface"), so a pack test written
 * against it runs unchanged against `createSyncEngine()`; test/engine-types.test.ts
 * checks the signatures against a transcription of the real types.
 *
 * Clustering is the engine's (`connectCluster`, spec/engine/cluster.ts):
 * every committed batch of a mutation, a schedule run or `applyChange` is
 * published after its fan-out; peers' batches are applied like local commits.
 *
 * Out of scope: transactions (writers always get `tx = undefined`), CRDT,
 * join/graph/search/reactive collections, sandboxed handlers, fencing,
 * concurrency caps, durable mutations, `affects`, `connectSource`,
 * `metrics()`.
 *
 * @module
 */
import type { CollectionContext, MutationDefinition, RetryPolicy } from '../src/contract.js';
import { createActions, createReadHandle, type BufferedChange } from './engine/actions.js';
import { createChangeLog } from './engine/changelog.js';
import { createClusterLink } from './engine/cluster.js';
import { UnauthorizedError } from './engine/errors.js';
import { createRegistry, registerMutation, registerPack } from './engine/registry.js';
import { runWithRetry, type RetryClock } from './engine/retry.js';
import { createSubscriptionHub } from './engine/subscriptions.js';
import type { ReferenceEngine, ReferenceEngineOptions } from './engine/types.js';

export {
  AbortError,
  PackMissingDependencyError,
  PackTableConflictError,
  RetriesExhaustedError,
  SchemaError,
  UnauthorizedError,
} from './engine/errors.js';
export { createInMemoryClusterBus, type ClusterBus, type ClusterChange, type ClusterMessage, type RowChange } from './engine/cluster.js';
export { exponentialBackoff, isSerializationFailure, type ExponentialBackoffOptions } from './engine/retry.js';
export type {
  CollectionInfo,
  EngineInspection,
  RecentChange,
  ReferenceEngine,
  ReferenceEngineOptions,
  RegisteredPack,
  ScheduleInfo,
  SubscribeArgs,
  Subscription,
  ViewDiff,
} from './engine/types.js';

function realSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The handler to run; a sandboxed-only mutation fails each attempt, as the engine would if its sandbox were missing. */
function handlerOf(mutation: MutationDefinition<any, any, any>, name: string) {
  const { handler } = mutation;
  if (!handler) {
    return () => {
      throw new Error(`Mutation "${name}": sandboxedHandler is not supported by the reference engine`);
    };
  }
  return handler;
}

/** A fresh instance id, as the engine makes one when none is given. */
const randomInstanceId = (): string => globalThis.crypto?.randomUUID?.() ?? `i${Math.random()}`;

/** Change-log entries kept by default, as in the engine. */
const DEFAULT_CHANGE_LOG_SIZE = 1024;

/**
 * Creates an empty reference engine, like `createSyncEngine(options)`.
 *
 * @param options - `instanceId` and `changeLogSize` as in the engine; injected
 *   clock (also the retry time budget), sleep between retries and jitter randomness
 * @returns the engine
 */
export function createReferenceEngine(options: ReferenceEngineOptions = {}): ReferenceEngine {
  const clock: RetryClock = {
    now: options.now ?? Date.now,
    sleep: options.sleep ?? realSleep,
    random: options.random ?? Math.random,
  };
  const instanceId = options.instanceId ?? randomInstanceId();
  const registry = createRegistry();
  const log = createChangeLog(instanceId, options.changeLogSize ?? DEFAULT_CHANGE_LOG_SIZE);
  const hub = createSubscriptionHub(registry, log);
  const cluster = createClusterLink(instanceId);

  /** Commits a local batch, fans it out, then publishes it: a batch whose fan-out throws is never published, as in the engine. */
  function commit(buffer: BufferedChange[]): Promise<void> | undefined {
    const fanOut = hub.applyBatch(buffer);
    // The commit is synchronous, so this is the batch's version even if others commit during the fan-out.
    const version = log.version;
    if (fanOut === undefined) return void cluster.publish(buffer, version);
    return fanOut.then(() => cluster.publish(buffer, version));
  }

  /** The retry loop: a fresh buffer per attempt, its batch applied inside the attempt, so fan-out failures count (W5). */
  function attempts<T>(
    retry: RetryPolicy | undefined,
    run: (buffer: BufferedChange[]) => Promise<T>,
  ): Promise<T> {
    return runWithRetry(retry, clock, async () => {
      const buffer: BufferedChange[] = [];
      const result = await run(buffer);
      const committing = commit(buffer);
      if (committing !== undefined) await committing;
      return result;
    });
  }

  return {
    instanceId,
    registerPack: (pack) => registerPack(registry, pack),
    registerSchema: (table, schema) => void registry.schemas.set(table, schema),
    registerPermissions: (table, rules) => void registry.permissions.set(table, rules),
    registerReader: (table, reader) => void registry.readers.set(table, reader),
    registerWriter: (table, writer) => void registry.writers.set(table, writer),
    register: (collection) => void registry.collections.set(collection.name, collection),
    registerMutation: (mutation) => registerMutation(registry, mutation),
    registerSchedule: (schedule) => void registry.schedules.set(schedule.name, schedule),

    subscribe: (args) => hub.subscribe(args),
    hydrate: (collection, params, ctx, hydrateOptions) => hub.hydrate(collection, params, ctx, hydrateOptions?.signal),
    subscriptionCount: (collection) => hub.count(collection),

    async runMutation<Result>(name: string, args: unknown, ctx: unknown): Promise<Result> {
      const mutation = registry.mutations.get(name);
      if (!mutation) throw new Error(`Unknown mutation "${name}"`);
      // Authorized once, outside the retry loop.
      if (mutation.authorize && !(await mutation.authorize(args, ctx))) {
        throw new UnauthorizedError(`run mutation "${name}"`);
      }
      const handler = handlerOf(mutation, name);
      return attempts(mutation.retry, async (buffer) => {
        const actions = createActions({ registry, ctx: ctx as CollectionContext, writeRules: true, buffer, now: clock.now });
        return (await handler(args, ctx, actions)) as Result;
      });
    },

    async runSchedule(name: string): Promise<void> {
      const schedule = registry.schedules.get(name);
      if (!schedule) throw new Error(`Unknown schedule "${name}"`);
      await attempts(schedule.retry, async (buffer) => {
        const ctx: CollectionContext = {};
        const actions = createActions({ registry, ctx, writeRules: false, buffer, now: clock.now });
        await schedule.run({ db: createReadHandle(registry, ctx), actions });
      });
    },

    listSchedules: () => [...registry.schedules.values()],

    applyChange: async (table, change) => commit([{ table, op: change.op, row: change.row }]),

    connectCluster: (bus) => cluster.connect(bus, async (changes, peer) => hub.applyBatch(changes, peer)),

    inspect: () => ({
      version: log.version,
      packs: registry.packs.map((pack) => ({
        ...pack,
        ownsTables: [...pack.ownsTables],
        readsTables: [...pack.readsTables],
      })),
      collections: [...registry.collections.values()].map((collection) => ({
        name: collection.name,
        kind: 'view' as const,
        tables: [...(collection.tables ?? [collection.name])],
        subscriptions: hub.count(collection.name),
      })),
      mutations: [...registry.mutations.keys()],
      schedules: [...registry.schedules.values()].map(({ name, pattern }) => ({ name, pattern })),
      readers: [...registry.readers.keys()],
      writers: [...registry.writers.keys()],
      recentChanges: log.recent(),
    }),
  };
}
