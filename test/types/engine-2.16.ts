/**
 * The real `@absolutejs/sync` engine's public types at 2.16.0, as far as a
 * pack and its tests touch them, transcribed from the engine's source
 * (`src/engine/types.ts`, `collection.ts`, `mutation.ts`, `reactive.ts`,
 * `schedule.ts`, `permissions.ts`, `schema.ts`, `retry.ts`, `pack.ts`,
 * `devtools.ts`, `syncEngine.ts` at commit 8d66ee79).
 *
 * Deliberately independent of src/contract.ts: test/engine-types.test.ts
 * checks the contract, the pack and the reference engine against these, so a
 * contract that drifts from the engine (a `RowKey` without `bigint`, a
 * `change` returning `void`) fails to compile. Type declarations only; the
 * engine itself cannot be installed here.
 *
 * Left out: join/graph/search/reactive collections, CRDT fields, sandbox
 * limits, and the engine members no pack test uses (fences, snapshots, CDC,
 * metrics). A pack that sets none of them is unaffected. The cluster seam
 * (`cluster.ts`, 1.17+) is in: nodes of the cluster tests talk over it.
 *
 * @module
 */

/** `types.ts`: a row's identity. */
export type RowKey = string | number | bigint;

/** `types.ts`: one row-level change. */
export type RowChange<T> = { op: 'insert' | 'update' | 'delete'; row: T };

/** `types.ts`: what a change does to a subscriber's result set. */
export type ViewDiff<T> = { added: T[]; removed: T[]; changed: T[] };

/** `cluster.ts`: a committed change on the bus. */
export type ClusterChange = { table: string; change: RowChange<unknown> };

/** `cluster.ts`: one committed batch on the bus. */
export type ClusterMessage = { origin: string; originVersion?: number; changes: ClusterChange[] };

/** `cluster.ts`: the bus a host plugs into `connectCluster`. */
export type ClusterBus = {
  publish: (message: ClusterMessage) => void | Promise<void>;
  subscribe: (onMessage: (message: ClusterMessage) => void) => (() => void | Promise<void>) | Promise<() => void | Promise<void>>;
};

/** `collection.ts`: the connection's context. */
export type CollectionContext = Record<string, unknown>;

/** `collection.ts`. */
export type CollectionDefinition<T, P = void, Ctx = CollectionContext> = {
  name: string;
  tables?: string[];
  hydrate: (params: P, ctx: Ctx) => Promise<Iterable<T>> | Iterable<T>;
  key?: (row: T) => RowKey;
  match?: (row: T, params: P, ctx: Ctx) => boolean;
  affects?: (change: RowChange<unknown>, params: P, ctx: Ctx) => boolean;
  authorize?: (params: P, ctx: Ctx) => boolean | Promise<boolean>;
};

/** `retry.ts`. */
export type RetryPolicy = {
  maxAttempts?: number;
  backoff?: (attempt: number) => number;
  isRetryable?: (error: unknown) => boolean;
  maxElapsedMs?: number;
};

/** `mutation.ts`. */
export type MutationActions = {
  insert: <Row = unknown>(table: string, data: unknown) => Promise<Row>;
  update: <Row = unknown>(table: string, data: unknown) => Promise<Row>;
  delete: (table: string, row: unknown) => Promise<void>;
  change: <T>(collection: string, change: RowChange<T>) => Promise<void>;
  now: () => number;
};

/** `mutation.ts` (`sandbox` is a config object of the sandbox module, not transcribed). */
export type MutationDefinition<Args = unknown, Ctx = CollectionContext, Result = unknown> = {
  name: string;
  authorize?: (args: Args, ctx: Ctx) => boolean | Promise<boolean>;
  handler?: (args: Args, ctx: Ctx, actions: MutationActions) => Promise<Result> | Result;
  sandboxedHandler?: string;
  retry?: RetryPolicy;
};

/** `mutation.ts`. */
export type TableWriter<Row = any, Ctx = unknown, Tx = unknown> = {
  insert: (data: any, ctx: Ctx, tx: Tx) => Promise<Row> | Row;
  update: (data: any, ctx: Ctx, tx: Tx) => Promise<Row> | Row;
  delete: (row: any, ctx: Ctx, tx: Tx) => Promise<unknown> | unknown;
};

/**
 * `reactive.ts`. `syncEngine.ts` also calls an optional `reader.key(row)` on
 * change rows and write payloads; its declaration is not in the stored
 * source, so its row is typed as loosely as any key function would be taken.
 */
export type TableReader<Ctx = unknown> = {
  all: (ctx: Ctx) => Promise<Iterable<unknown>> | Iterable<unknown>;
  get?: (key: RowKey, ctx: Ctx) => Promise<unknown> | unknown;
  key?: (row: any) => RowKey;
};

/** `reactive.ts` (with the `where` that `syncEngine.ts` builds). */
export type ReadHandle = {
  all: <T = unknown>(table: string) => Promise<T[]>;
  get: <T = unknown>(table: string, key: RowKey) => Promise<T | undefined>;
  where: <T = unknown>(table: string, predicate: (row: T) => boolean) => Promise<T[]>;
};

/** `schedule.ts`. */
export type ScheduleContext = { db: ReadHandle; actions: MutationActions };

/** `schedule.ts`. */
export type ScheduleDefinition = {
  name: string;
  pattern: string;
  run: (ctx: ScheduleContext) => Promise<void> | void;
  retry?: RetryPolicy;
};

/** `permissions.ts`. */
export type TablePermissions<Row = unknown, Ctx = CollectionContext> = {
  read?: (ctx: Ctx, row: Row) => boolean;
  insert?: (ctx: Ctx, row: Row) => boolean;
  update?: (ctx: Ctx, row: Row) => boolean;
  delete?: (ctx: Ctx, row: Row) => boolean;
  write?: (ctx: Ctx, row: Row) => boolean;
};

/** `schema.ts`. */
export type TableSchema<Row = unknown> = {
  fields: Record<string, (value: unknown) => boolean>;
  version?: number;
  migrate?: (row: Row) => Row;
};

/** `pack.ts` (the slots a presence pack can fill). */
export type SyncPack = {
  name: string;
  version: string;
  ownsTables: string[];
  readsTables?: string[];
  requireDependencies?: boolean;
  schemas?: Record<string, TableSchema<any>>;
  permissions?: Record<string, TablePermissions<any, any>>;
  readers?: Record<string, TableReader<any>>;
  writers?: Record<string, TableWriter<any, any, any>>;
  collections?: CollectionDefinition<any, any, any>[];
  mutations?: MutationDefinition<any, any, any>[];
  schedules?: ScheduleDefinition[];
};

/** `devtools.ts`. */
export type EngineInspection = {
  version: number;
  collections: { name: string; kind: 'view' | 'join' | 'graph' | 'reactive' | 'search'; tables: string[]; subscriptions: number }[];
  mutations: string[];
  schedules: { name: string; pattern: string }[];
  readers: string[];
  writers: string[];
  recentChanges: { version: number; table: string; op: 'insert' | 'update' | 'delete' }[];
  packs: { name: string; version: string; ownsTables: string[]; readsTables: string[] }[];
};

/** `syncEngine.ts`. */
export type SubscribeArgs<T, P, Ctx> = {
  collection: string;
  params: P;
  ctx: Ctx;
  onDiff: (diff: ViewDiff<T>, version: number, cursor?: string) => void;
  since?: number | string;
  signal?: AbortSignal;
};

/** `syncEngine.ts`. */
export type Subscription<T> = {
  initial: T[];
  catchup?: ViewDiff<T>;
  version: number;
  cursor: string;
  unsubscribe: () => void;
};

/** `syncEngine.ts`: the members of `SyncEngine` a pack and its tests use. */
export type SyncEngine = {
  register: <T, P = void, Ctx = CollectionContext>(collection: CollectionDefinition<T, P, Ctx>) => void;
  registerSchedule: (schedule: ScheduleDefinition) => void;
  runSchedule: (name: string) => Promise<void>;
  listSchedules: () => ScheduleDefinition[];
  subscribe: <T, P = void, Ctx = CollectionContext>(args: SubscribeArgs<T, P, Ctx>) => Promise<Subscription<T>>;
  hydrate: (collection: string, params: unknown, ctx: unknown, options?: { signal?: AbortSignal }) => Promise<unknown[]>;
  subscriptionCount: (collection?: string) => number;
  registerMutation: <Args, Ctx = CollectionContext, Result = unknown>(mutation: MutationDefinition<Args, Ctx, Result>) => void;
  registerWriter: <Row = unknown, Ctx = CollectionContext, Tx = unknown>(table: string, writer: TableWriter<Row, Ctx, Tx>) => void;
  registerReader: <Ctx = CollectionContext>(table: string, reader: TableReader<Ctx>) => void;
  registerPermissions: <Row = unknown, Ctx = CollectionContext>(table: string, rules: TablePermissions<Row, Ctx>) => void;
  registerSchema: <Row = unknown>(table: string, schema: TableSchema<Row>) => void;
  runMutation: (name: string, args: unknown, ctx: unknown, options?: { operationId?: string }) => Promise<unknown>;
  inspect: () => EngineInspection;
  registerPack: (pack: SyncPack) => void;
  applyChange: <T>(table: string, change: RowChange<T>) => Promise<void>;
  connectCluster: (bus: ClusterBus) => Promise<() => Promise<void>>;
};
