/**
 * Public types of the reference engine: the subset of `SyncEngine` that packs
 * and pack tests touch, with the real engine's names and signatures (2.16,
 * `src/engine/syncEngine.ts`, `devtools.ts`, `types.ts`), so a test written
 * against it runs unchanged on `createSyncEngine()`.
 *
 * @module
 */
import type {
  CollectionContext,
  CollectionDefinition,
  MutationDefinition,
  ScheduleDefinition,
  SyncPack,
  TablePermissions,
  TableReader,
  TableSchema,
  TableWriter,
} from '../../src/contract.js';
import type { ClusterBus, RowChange } from './cluster.js';

/**
 * `createReferenceEngine` options: the real engine's `instanceId` and
 * `changeLogSize`, plus injected clock, sleep and randomness (reference-only;
 * the real engine reads `Date.now`, `setTimeout` and `Math.random`).
 */
export interface ReferenceEngineOptions {
  /** Names this engine in resume cursors; default a random UUID, as the real engine. */
  instanceId?: string;
  /** Changes kept for resuming subscriptions and `inspect().recentChanges`; default 1024. */
  changeLogSize?: number;
  /** Backs `actions.now()` and the retry time budget; default `Date.now`. */
  now?: () => number;
  /** Waits between retry attempts; default a `setTimeout` promise. */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source of the default retry backoff; default `Math.random`. */
  random?: () => number;
}

/** One netted batch of changes for one subscription (the engine's `ViewDiff`). */
export interface ViewDiff<Row = unknown> {
  /** Rows that entered the subscriber's view. */
  added: Row[];
  /** Rows whose key was already in the view, as they are now. */
  changed: Row[];
  /** Rows that left the view, as the view last held them. */
  removed: Row[];
}

/** What `subscribe` needs (the engine's `SubscribeArgs`): `params` is required, as there. */
export interface SubscribeArgs<Row = unknown, Params = void, Ctx = CollectionContext> {
  /** Registered collection name. */
  collection: string;
  /** Passed to the collection's `authorize`, `hydrate` and `match`. */
  params: Params;
  /** The connection's context, captured for the subscription's lifetime. */
  ctx: Ctx;
  /**
   * Called once per committed batch that changes this subscription's view,
   * with the batch's engine version and the resume cursor as of that batch
   * (always passed here; optional in the engine's type).
   */
  onDiff: (diff: ViewDiff<Row>, version: number, cursor?: string) => void;
  /**
   * Resume point: a cursor from an earlier reply or diff, or a bare version
   * of this engine. When the change log still covers the gap and the
   * collection is incremental, the reply carries `catchup` and an empty
   * `initial`.
   */
  since?: number | string;
  /** Aborted before or during setup: `AbortError`. Aborted later: unsubscribes. */
  signal?: AbortSignal;
}

/** A live subscription (the engine's `Subscription`). */
export interface Subscription<Row = unknown> {
  /** The hydrated rows (after migrate and read rule for single-table collections); empty when resuming. */
  initial: Row[];
  /** When resuming: the logged changes since `since`, as `changed` and `removed` (never `added`). */
  catchup?: ViewDiff<Row>;
  /** Engine version when the subscription joined the live set. */
  version: number;
  /** Resume cursor: JSON of `{ [instanceId]: version }`. */
  cursor: string;
  /** Leaves the live set; idempotent. */
  unsubscribe: () => void;
}

/** A registered pack as `inspect().packs` lists it. */
export interface RegisteredPack {
  /** The pack's name. */
  name: string;
  /** The pack's free-text version. */
  version: string;
  /** Copy of the pack's `ownsTables`. */
  ownsTables: string[];
  /** Copy of the pack's `readsTables`, or `[]`. */
  readsTables: string[];
}

/** A registered collection as `inspect().collections` lists it. */
export interface CollectionInfo {
  /** The collection's name. */
  name: string;
  /** Always `'view'`, the engine's kind for a `CollectionDefinition` (join/graph/search/reactive are out of scope). */
  kind: 'view';
  /** Tables whose changes fan out to it. */
  tables: string[];
  /** Live subscriptions of it. */
  subscriptions: number;
}

/** A registered schedule as `inspect().schedules` lists it. */
export interface ScheduleInfo {
  /** The schedule's name. */
  name: string;
  /** Its cron pattern, unvalidated. */
  pattern: string;
}

/** One change-log entry as `inspect().recentChanges` lists it. */
export interface RecentChange {
  /** The engine version of its batch. */
  version: number;
  /** The table written. */
  table: string;
  /** What happened. */
  op: 'insert' | 'update' | 'delete';
}

/** A snapshot of everything registered; every array is a fresh copy (the engine's `EngineInspection`). */
export interface EngineInspection {
  /** Current engine version: the number of committed batches. */
  version: number;
  /** Packs in registration order. */
  packs: RegisteredPack[];
  /** Collections, unattributed to packs. */
  collections: CollectionInfo[];
  /** Mutation names. */
  mutations: string[];
  /** Schedules. */
  schedules: ScheduleInfo[];
  /** Tables with a reader. */
  readers: string[];
  /** Tables with a writer. */
  writers: string[];
  /** The last 50 logged changes, oldest first. */
  recentChanges: RecentChange[];
}

/** The reference engine: the part of `SyncEngine` a pack uses, with the engine's signatures. */
export interface ReferenceEngine {
  /** This engine's id: the key of its cursor entry and the `origin` of the batches it publishes. */
  readonly instanceId: string;
  /** Registers a pack, in the order and with the checks of ENGINE_CONTRACT.md §1. */
  registerPack(pack: SyncPack): void;
  /** Sets a table's schema (last writer wins). */
  registerSchema<Row = unknown>(table: string, schema: TableSchema<Row>): void;
  /** Replaces a table's whole permission set. */
  registerPermissions<Row = unknown, Ctx = CollectionContext>(table: string, rules: TablePermissions<Row, Ctx>): void;
  /** Sets a table's reader (last writer wins; not ownership). */
  registerReader<Ctx = CollectionContext>(table: string, reader: TableReader<any, Ctx>): void;
  /** Sets a table's writer (last writer wins; not ownership). */
  registerWriter<Row = unknown, Ctx = CollectionContext, Tx = unknown>(table: string, writer: TableWriter<Row, Ctx, Tx>): void;
  /** Registers a collection by name (last writer wins). */
  register<Row, Params = void, Ctx = CollectionContext>(collection: CollectionDefinition<Row, Params, Ctx>): void;
  /** Registers a mutation; throws unless exactly one handler is present. */
  registerMutation<Args, Ctx = CollectionContext, Result = unknown>(mutation: MutationDefinition<Args, Ctx, Result>): void;
  /** Registers a schedule by name (last writer wins). */
  registerSchedule(schedule: ScheduleDefinition): void;
  /** Authorizes, hydrates and joins the live set (after hydrate: W4); resumes from `since` when it can. */
  subscribe<Row = unknown, Params = void, Ctx = CollectionContext>(args: SubscribeArgs<Row, Params, Ctx>): Promise<Subscription<Row>>;
  /** One-shot read: authorize, hydrate, migrate and read rule; no `match`. */
  hydrate<Row = unknown>(collection: string, params: unknown, ctx: unknown, options?: { signal?: AbortSignal }): Promise<Row[]>;
  /** Runs a mutation with write rules on, retry and fan-out. */
  runMutation<Result = unknown>(name: string, args: unknown, ctx: unknown): Promise<Result>;
  /** Runs a schedule with ctx `{}`, rules off, retry and fan-out. */
  runSchedule(name: string): Promise<void>;
  /** The registered schedule definitions, for a host that wires cron triggers. */
  listSchedules(): ScheduleDefinition[];
  /** Commits one change as its own batch (no writer, no rule, no schema), fans it out and publishes it, like a CDC feed. */
  applyChange<Row = unknown>(table: string, change: RowChange<Row>): Promise<void>;
  /**
   * Joins a cluster: peers' batches from `bus` are applied to local
   * subscriptions like local commits (logged against their origin, never
   * published again) and every local commit is published on `bus`, fire and
   * forget. Resolves once subscribed, to a function that stops both directions.
   */
  connectCluster(bus: ClusterBus): Promise<() => Promise<void>>;
  /** Live subscriptions, of one collection or of all. */
  subscriptionCount(collection?: string): number;
  /** A fresh snapshot of the registries. */
  inspect(): EngineInspection;
}
