/**
 * Subscriptions and fan-out (ENGINE_CONTRACT.md §2 and §14).
 *
 * A subscription is incremental iff its collection has `match` and exactly
 * one table: each change is judged by `match(row, params, ctx) && read(ctx,
 * row)` on the writer's returned row (deletes by key only, no `match`); a
 * throwing `match`/read re-hydrates that subscription instead. Every other
 * subscription re-hydrates on every change to one of its tables and diffs
 * shallowly. All diffs of a batch are computed before any is emitted; a throw
 * while computing (e.g. a refetch `hydrate`) reaches the mutation's caller and
 * nobody receives the batch, although views already updated stay updated (W5).
 * Each diff goes out as `onDiff(diff, version, cursor)`.
 *
 * @module
 */
import type { CollectionContext, CollectionDefinition, RowKey } from '../../src/contract.js';
import type { BufferedChange } from './actions.js';
import type { ChangeLog } from './changelog.js';
import type { PeerOrigin } from './cluster.js';
import { DiffAccumulator, diffViews } from './diff.js';
import { throwIfAborted, UnauthorizedError } from './errors.js';
import type { Registry } from './registry.js';
import type { SubscribeArgs, Subscription, ViewDiff } from './types.js';

type AnyCollection = CollectionDefinition<any, any, any>;

interface LiveSubscription {
  readonly name: string;
  readonly collection: AnyCollection;
  readonly tables: string[];
  readonly incremental: boolean;
  readonly key: (row: unknown) => RowKey;
  readonly params: unknown;
  readonly ctx: CollectionContext;
  readonly onDiff: (diff: ViewDiff, version: number, cursor: string) => void;
  view: Map<RowKey, unknown>;
  active: boolean;
}

/** The live set, the engine version and the operations on them. */
export interface SubscriptionHub {
  /** Authorize, hydrate, then join the live set; resume from `since` when the log allows. */
  subscribe<Row, Params, Ctx>(args: SubscribeArgs<Row, Params, Ctx>): Promise<Subscription<Row>>;
  /** One-shot authorize + hydrate + migrate + read rule. */
  hydrate<Row>(name: string, params: unknown, ctx: unknown, signal: AbortSignal | undefined): Promise<Row[]>;
  /**
   * Commits a batch as one version and fans it out; no-op when empty.
   * Returns a promise only when there is fan-out to wait for.
   *
   * @param changes - the batch
   * @param peer - the batch's origin when it came from the cluster bus
   */
  applyBatch(changes: BufferedChange[], peer?: PeerOrigin): Promise<void> | undefined;
  /** Live subscriptions of a collection, or of all when `name` is omitted. */
  count(name?: string): number;
}

/** `row.id`, or `undefined` for a bare key (such a delete never leaves a view: W10). */
function defaultKey(row: unknown): RowKey {
  return (typeof row === 'object' && row !== null ? (row as { id?: RowKey }).id : undefined) as RowKey;
}

/**
 * Creates the live subscription set of a new engine.
 *
 * @param registry - the registries the hub reads collections, schemas and rules from
 * @param log - the engine's version and change log
 * @returns a hub with an empty live set
 */
export function createSubscriptionHub(registry: Registry, log: ChangeLog): SubscriptionHub {
  const live = new Set<LiveSubscription>();

  function collectionFor(name: string): AnyCollection {
    const collection = registry.collections.get(name);
    if (!collection) throw new Error(`Unknown collection "${name}"`);
    return collection;
  }

  /** `authorize`, awaited; a falsy answer is `Not authorized: <verb> collection "<name>"`. */
  async function authorize(verb: string, name: string, collection: AnyCollection, params: unknown, ctx: unknown, signal?: AbortSignal) {
    if (!collection.authorize) return;
    const allowed = await collection.authorize(params, ctx);
    throwIfAborted(signal);
    if (!allowed) throw new UnauthorizedError(`${verb} collection "${name}"`);
  }

  /** The effective incremental predicate: `match` and the table's read rule. */
  function keeps(sub: LiveSubscription, table: string, row: unknown): boolean {
    const read = registry.permissions.get(table)?.read;
    return Boolean(sub.collection.match?.(row, sub.params, sub.ctx)) && (!read || Boolean(read(sub.ctx, row)));
  }

  /** hydrate, then migrate + read rule when single-table; `match` is trusted away. */
  async function load(collection: AnyCollection, params: unknown, ctx: unknown): Promise<unknown[]> {
    const rows = [...(await collection.hydrate(params, ctx))];
    const tables = collection.tables ?? [collection.name];
    if (tables.length !== 1) return rows;
    const table = tables[0] as string;
    const migrate = registry.schemas.get(table)?.migrate;
    const read = registry.permissions.get(table)?.read;
    const migrated = migrate ? rows.map((row) => migrate(row)) : rows;
    return read ? migrated.filter((row) => read(ctx, row)) : migrated;
  }

  function index(sub: Pick<LiveSubscription, 'key'>, rows: unknown[]): Map<RowKey, unknown> {
    return new Map(rows.map((row) => [sub.key(row), row]));
  }

  async function rehydrate(sub: LiveSubscription, acc: DiffAccumulator): Promise<void> {
    const next = index(sub, await load(sub.collection, sub.params, sub.ctx));
    diffViews(sub.view, next, acc);
    sub.view = next;
  }

  async function applyIncremental(sub: LiveSubscription, change: BufferedChange, acc: DiffAccumulator) {
    const { row } = change;
    if (change.op === 'delete') {
      const key = sub.key(row);
      if (sub.view.has(key)) {
        acc.remove(key, sub.view.get(key));
        sub.view.delete(key);
      }
      return;
    }
    let passes: boolean;
    try {
      passes = keeps(sub, change.table, row);
    } catch {
      // The engine swallows a throwing match/read and re-reads the whole view.
      await rehydrate(sub, acc);
      return;
    }
    const key = sub.key(row);
    if (passes) {
      if (sub.view.has(key)) acc.change(key, row);
      else acc.add(key, row);
      sub.view.set(key, row);
    } else if (sub.view.has(key)) {
      acc.remove(key, sub.view.get(key));
      sub.view.delete(key);
    }
  }

  /** Fans a committed batch out to the live set, one diff per touched subscription. */
  async function fanOut(changes: BufferedChange[], batchVersion: number): Promise<void> {
    const targets = [...live];
    const diffs = new Map<LiveSubscription, DiffAccumulator>();
    for (const change of changes) {
      for (const sub of targets) {
        if (!sub.tables.includes(change.table)) continue;
        let acc = diffs.get(sub);
        if (!acc) diffs.set(sub, (acc = new DiffAccumulator()));
        if (sub.incremental) await applyIncremental(sub, change, acc);
        else await rehydrate(sub, acc);
      }
    }
    const cursor = log.cursor();
    for (const [sub, acc] of diffs) {
      const diff = acc.result();
      if (diff && sub.active) sub.onDiff(diff, batchVersion, cursor);
    }
  }

  return {
    async subscribe<Row, Params, Ctx>(args: SubscribeArgs<Row, Params, Ctx>): Promise<Subscription<Row>> {
      const { collection: name, params, ctx, since, signal } = args;
      // An already-aborted signal stops everything: no authorize, no hydrate.
      throwIfAborted(signal);
      const collection = collectionFor(name);
      await authorize('subscribe to', name, collection, params, ctx);
      const tables = [...(collection.tables ?? [collection.name])];
      const incremental = collection.match !== undefined && tables.length === 1;
      // Decided before the hydrate; the catch-up itself is built after it, from the log as it is then.
      const resuming = since !== undefined && log.canResume(since, incremental);
      const initial = await load(collection, params, ctx);
      const key = collection.key ?? defaultKey;
      // Joins the live set only now: changes fanned out during hydrate are lost (W4).
      const sub: LiveSubscription = {
        name,
        collection,
        tables,
        incremental,
        key,
        params,
        ctx: ctx as CollectionContext,
        onDiff: args.onDiff as LiveSubscription['onDiff'],
        view: index({ key }, initial),
        active: true,
      };
      live.add(sub);
      const unsubscribe = () => {
        sub.active = false;
        live.delete(sub);
      };
      const reply: Subscription<Row> = {
        initial: (resuming ? [] : initial) as Row[],
        version: log.version,
        cursor: log.cursor(),
        unsubscribe,
      };
      if (resuming) reply.catchup = log.catchup(since, tables, key, (row) => keeps(sub, tables[0] as string, row)) as ViewDiff<Row>;
      // As in the engine, an abort during setup rejects the call but leaves the subscription live (W20).
      throwIfAborted(signal);
      signal?.addEventListener('abort', unsubscribe, { once: true });
      return reply;
    },

    async hydrate<Row>(name: string, params: unknown, ctx: unknown, signal: AbortSignal | undefined): Promise<Row[]> {
      throwIfAborted(signal);
      const collection = collectionFor(name);
      await authorize('hydrate', name, collection, params, ctx, signal);
      const rows = await load(collection, params, ctx);
      throwIfAborted(signal);
      return rows as Row[];
    },

    applyBatch(changes: BufferedChange[], peer?: PeerOrigin): Promise<void> | undefined {
      if (changes.length === 0) return undefined;
      const batchVersion = log.commit(changes, peer);
      // Nobody listening: the version moved, and no promise is made per write.
      return live.size === 0 ? undefined : fanOut(changes, batchVersion);
    },

    count(name?: string): number {
      if (name === undefined) return live.size;
      let n = 0;
      for (const sub of live) if (sub.name === name) n++;
      return n;
    },
  };
}
