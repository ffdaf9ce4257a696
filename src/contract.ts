/**
 * Structural types of the `@absolutejs/sync` engine's pack surface, re-derived
 * from the engine's source (`src/engine/*.ts` of 2.16.0) so the pack
 * type-checks without the engine installed, and a pack typed with them is
 * assignable to the real `SyncPack` under `strict` (test/engine-types.test.ts
 * proves it against an independent transcription of the real types). Nothing
 * here exists at run time.
 *
 * Where these are narrower than the engine's (a `Row` parameter where the
 * engine says `unknown`), they only add typing for a pack's own code; every
 * slot the engine fills (keys, contexts, actions) is at least as wide as the
 * engine's, which is what `strictFunctionTypes` checks.
 *
 * Predicates the engine calls synchronously (`match`, `key`, permission
 * rules, field validators, `migrate`) are typed as returning plain values, so
 * an `async` one is a compile error instead of a silent "always allowed".
 *
 * @module
 */

/** A value or a promise of it: the engine awaits every slot typed this way. */
export type Awaitable<T> = T | Promise<T>;

/** Whatever the host's socket layer resolved for a connection. */
export type CollectionContext = Record<string, unknown>;

/** A row key as the engine indexes it: the engine may pass any of these to `TableReader.get`. */
export type RowKey = string | number | bigint;

/** Field validators and an optional lazy migration for one table. */
export interface TableSchema<Row = unknown> {
  /** One synchronous validator per field; `false` rejects the write. */
  fields: Record<string, (value: unknown) => boolean>;
  /** Bookkeeping only. */
  version?: number;
  /** Applied lazily when rows are read through hydrate or `db`. */
  migrate?: (row: Row) => Row;
}

/** Row-level rules, each `(ctx, row) => boolean` and synchronous. */
export interface TablePermissions<Row = unknown, Ctx = CollectionContext> {
  /** Filters hydrate, incremental fan-out and reads. */
  read?: (ctx: Ctx, row: Row) => boolean;
  /** Checked against the insert payload. */
  insert?: (ctx: Ctx, row: Row) => boolean;
  /** Checked against the stored row when the reader can load it. */
  update?: (ctx: Ctx, row: Row) => boolean;
  /** Checked against the stored row when the reader can load it. */
  delete?: (ctx: Ctx, row: Row) => boolean;
  /** Fallback for insert, update and delete. */
  write?: (ctx: Ctx, row: Row) => boolean;
}

/**
 * How the engine reads a table. The engine's own type is `TableReader<Ctx>`
 * with `unknown` rows; `Row` here only types a pack's implementation.
 */
export interface TableReader<Row = unknown, Ctx = unknown> {
  /** Every row; may be slow. */
  all: (ctx: Ctx) => Awaitable<Iterable<Row>>;
  /** One row by key; `undefined` (never `null`) on a miss. */
  get?: (key: RowKey, ctx: Ctx) => Awaitable<Row | undefined>;
  /** The key of a row (or of a partial row carrying its key fields). */
  key?: (row: Row) => RowKey;
}

/** How the engine writes a table; insert and update return the stored row. */
export interface TableWriter<Row = unknown, Ctx = unknown, Tx = unknown> {
  /** Stores a new row and returns it as subscribers should see it. */
  insert: (data: Row, ctx: Ctx, tx: Tx) => Awaitable<Row>;
  /** Updates a row and returns it as subscribers should see it. */
  update: (data: Row, ctx: Ctx, tx: Tx) => Awaitable<Row>;
  /** Deletes a row; the return value is ignored. */
  delete: (value: Row, ctx: Ctx, tx: Tx) => Awaitable<unknown>;
}

/** One buffered change to a table. */
export interface TableChange<Row = unknown> {
  /** What happened. */
  op: 'insert' | 'update' | 'delete';
  /** The row (for deletes: at least its key fields). */
  row: Row;
}

/** The write surface handed to mutation handlers and schedules (the engine's exact signatures). */
export interface MutationActions {
  /** Schema check, insert rule (mutations only), writer; resolves to the stored row. */
  insert: <Row = unknown>(table: string, data: unknown) => Promise<Row>;
  /** Schema check of present fields, update rule on the stored row, writer; resolves to the stored row. */
  update: <Row = unknown>(table: string, data: unknown) => Promise<Row>;
  /** Delete rule on the stored row, writer; no schema check. */
  delete: (table: string, rowOrKey: unknown) => Promise<void>;
  /** Buffers a change as-is: no writer, no rule, no schema. Resolves at once. */
  change: <Row>(table: string, change: TableChange<Row>) => Promise<void>;
  /** The engine's clock. */
  now: () => number;
}

/** Retry settings for a mutation or schedule. */
export interface RetryPolicy {
  /** Attempts including the first; default 5 once a policy exists. */
  maxAttempts?: number;
  /** Delay before attempt `attempt + 1`, in milliseconds. */
  backoff?: (attempt: number) => number;
  /** Whether an error may be retried. */
  isRetryable?: (error: unknown) => boolean;
  /** Total time budget across attempts; default 30 000 ms. */
  maxElapsedMs?: number;
}

/** A read handle over registered readers (`migrate` applied). */
export interface ReadHandle {
  /** Every row of a table. */
  all: <Row = unknown>(table: string) => Promise<Row[]>;
  /** One row of a table by key; throws when the table's reader has no `get`. */
  get: <Row = unknown>(table: string, key: RowKey) => Promise<Row | undefined>;
  /** The rows of a table a predicate keeps: `all` plus a filter (a full scan). */
  where: <Row = unknown>(table: string, predicate: (row: Row) => boolean) => Promise<Row[]>;
}

/** A collection clients subscribe to. */
export interface CollectionDefinition<Row = unknown, Params = void, Ctx = CollectionContext> {
  /** The collection's name (prefixed by packs). */
  name: string;
  /** Tables whose changes fan out to it; default `[name]`. */
  tables?: string[];
  /** The rows a new subscription starts with. */
  hydrate: (params: Params, ctx: Ctx) => Awaitable<Iterable<Row>>;
  /** The key of a row; default `row.id`. Synchronous. */
  key?: (row: Row) => RowKey;
  /** Whether a changed row belongs to a subscription. Synchronous. */
  match?: (row: Row, params: Params, ctx: Ctx) => boolean;
  /** Gate for a subscription; falsy rejects with `UnauthorizedError`. */
  authorize?: (params: Params, ctx: Ctx) => Awaitable<boolean>;
}

/** A named mutation clients run with unvalidated arguments. */
export interface MutationDefinition<Args = unknown, Ctx = CollectionContext, Result = unknown> {
  /** The mutation's name (prefixed by packs). */
  name: string;
  /** Gate run once before the handler; falsy rejects with `UnauthorizedError`. */
  authorize?: (args: Args, ctx: Ctx) => Awaitable<boolean>;
  /** The handler; the engine requires exactly one of handler or sandboxedHandler. */
  handler?: (args: Args, ctx: Ctx, actions: MutationActions) => Awaitable<Result>;
  /** Source of an `(args, ctx, actions) => result` expression run in a sandbox, instead of `handler`. */
  sandboxedHandler?: string;
  /** Retry settings. */
  retry?: RetryPolicy;
}

/** What a schedule's `run` receives: no caller ctx, write rules off. */
export interface ScheduleContext {
  /** Reads with ctx `{}` and read rules off. */
  db: ReadHandle;
  /** Writes with ctx `{}` and write rules off. */
  actions: MutationActions;
}

/** A cron-fired job; the host wires the trigger. */
export interface ScheduleDefinition {
  /** The schedule's name (prefixed by packs). */
  name: string;
  /** The cron pattern the host fires it on. */
  pattern: string;
  /** The job. */
  run: (context: ScheduleContext) => Awaitable<void>;
  /** Retry settings. */
  retry?: RetryPolicy;
}

/**
 * A pack: plain data that `engine.registerPack` dispatches. Generic slots are
 * `any` because the engine's own `SyncPack` types them so, letting typed
 * definitions fit without casts.
 */
export interface SyncPack {
  /** The pack's npm package name, shown by `inspect().packs` and in the engine's conflict messages. */
  name: string;
  /** Free text, shown by `inspect().packs`. */
  version: string;
  /** Tables this pack owns; a second owner is a `PackTableConflictError`. */
  ownsTables: string[];
  /** Tables this pack reads but does not own. */
  readsTables?: string[];
  /** Require a reader for every `readsTables` entry at registration. */
  requireDependencies?: boolean;
  /** Schemas by table. */
  schemas?: Record<string, TableSchema<any>>;
  /** Permissions by table. */
  permissions?: Record<string, TablePermissions<any, any>>;
  /** Readers by table. */
  readers?: Record<string, TableReader<any, any>>;
  /** Writers by table. */
  writers?: Record<string, TableWriter<any, any, any>>;
  /** Collections to register. */
  collections?: CollectionDefinition<any, any, any>[];
  /** Mutations to register. */
  mutations?: MutationDefinition<any, any, any>[];
  /** Schedules to register. */
  schedules?: ScheduleDefinition[];
}
