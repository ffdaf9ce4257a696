/**
 * Public types of the reference engine: the subset of `SyncEngine` that packs
 * and pack tests touch, with the engine's names and shapes.
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

/** Injected clock, sleep and randomness; defaults are the real ones. */
export interface ReferenceEngineOptions {
  /** Backs `actions.now()` and the retry time budget; default `Date.now`. */
  now?: () => number;
  /** Waits between retry attempts; default a `setTimeout` promise. */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source of the default retry backoff; default `Math.random`. */
  random?: () => number;
}

/** One netted batch of changes for one subscription. */
export interface CollectionDiff<Row = unknown> {
  /** Rows that entered the subscriber's view. */
  added: Row[];
  /** Rows whose key was already in the view, as they are now. */
  changed: Row[];
  /** Rows that left the view, as the view last held them. */
  removed: Row[];
  /** Engine version of the batch. */
  version: number;
}

/** What `subscribe` needs. */
export interface SubscribeOptions<Row = unknown> {
  /** Registered collection name. */
  collection: string;
  /** Passed to the collection's `authorize`, `hydrate` and `match`. */
  params?: unknown;
  /** The connection's context, captured for the subscription's lifetime. */
  ctx: CollectionContext;
  /** Called once per committed batch that changes this subscription's view. */
  onDiff: (diff: CollectionDiff<Row>) => void;
}

/** A live subscription. */
export interface Subscription<Row = unknown> {
  /** The hydrated rows (after migrate and read rule for single-table collections). */
  initial: Row[];
  /** Engine version when the subscription joined the live set. */
  version: number;
  /** Leaves the live set; idempotent. */
  unsubscribe(): void;
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
  /** Always `'collection'`: join/graph/search/reactive are out of scope. */
  kind: 'collection';
  /** Tables whose changes fan out to it. */
  tables: string[];
  /** Live subscriptions of it. */
  subscriptions: number;
}

/** A registered schedule as `listSchedules()` lists it. */
export interface ScheduleInfo {
  /** The schedule's name. */
  name: string;
  /** Its cron pattern, unvalidated. */
  pattern: string;
}

/** A snapshot of everything registered; every array is a fresh copy. */
export interface EngineInspection {
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
}

/**
 * A mutation as the engine accepts it: exactly one of `handler` and
 * `sandboxedHandler` (the latter is not run by the reference engine).
 */
export type EngineMutationDefinition = MutationDefinition<any, any, any> & {
  /** Source of a sandboxed handler; rejected when run by the reference engine. */
  sandboxedHandler?: string;
};

/** The reference engine: the part of `SyncEngine` a pack uses. */
export interface ReferenceEngine {
  /** Registers a pack, in the order and with the checks of ENGINE_CONTRACT.md §1. */
  registerPack(pack: SyncPack): void;
  /** Sets a table's schema (last writer wins). */
  registerSchema(table: string, schema: TableSchema<any>): void;
  /** Replaces a table's whole permission set. */
  registerPermissions(table: string, rules: TablePermissions<any, any>): void;
  /** Sets a table's reader (last writer wins; not ownership). */
  registerReader(table: string, reader: TableReader<any, any>): void;
  /** Sets a table's writer (last writer wins; not ownership). */
  registerWriter(table: string, writer: TableWriter<any, any, any>): void;
  /** Registers a collection by name (last writer wins). */
  register(collection: CollectionDefinition<any, any, any>): void;
  /** Registers a mutation; throws unless exactly one handler is present. */
  registerMutation(mutation: EngineMutationDefinition): void;
  /** Registers a schedule by name (last writer wins). */
  registerSchedule(schedule: ScheduleDefinition): void;
  /** Authorizes, hydrates and joins the live set (after hydrate: W4). */
  subscribe<Row = unknown>(options: SubscribeOptions<Row>): Promise<Subscription<Row>>;
  /** One-shot read: authorize, hydrate, migrate and read rule; no `match`. */
  hydrate<Row = unknown>(collection: string, params: unknown, ctx: CollectionContext): Promise<Row[]>;
  /** Runs a mutation with write rules on, retry and fan-out. */
  runMutation<Result = unknown>(name: string, args: unknown, ctx: CollectionContext): Promise<Result>;
  /** Runs a schedule with ctx `{}`, rules off, retry and fan-out. */
  runSchedule(name: string): Promise<void>;
  /** Registered schedules, for a host that wires cron triggers. */
  listSchedules(): ScheduleInfo[];
  /** A fresh snapshot of the registries. */
  inspect(): EngineInspection;
}
