/**
 * Subscriptions and fan-out (ENGINE_CONTRACT.md §2).
 *
 * A subscription is incremental iff its collection has `match` and exactly
 * one table: each change is judged by `match(row, params, ctx) && read(ctx,
 * row)` on the writer's returned row (deletes by key only, no `match`); a
 * throwing `match`/read re-hydrates that subscription instead. Every other
 * subscription re-hydrates on every change to one of its tables and diffs
 * shallowly. All diffs of a batch are computed before any is emitted; a throw
 * while computing (e.g. a refetch `hydrate`) reaches the mutation's caller and
 * nobody receives the batch, although views already updated stay updated (W5).
 *
 * @module
 */
import type { CollectionContext, CollectionDefinition, RowKey } from '../../src/contract.js';
import type { BufferedChange } from './actions.js';
import { DiffAccumulator, diffViews } from './diff.js';
import { UnauthorizedError } from './errors.js';
import type { Registry } from './registry.js';
import type { CollectionDiff, SubscribeOptions, Subscription } from './types.js';

type AnyCollection = CollectionDefinition<any, any, any>;

interface LiveSubscription {
  readonly name: string;
  readonly collection: AnyCollection;
  readonly tables: string[];
  readonly incremental: boolean;
  readonly key: (row: unknown) => RowKey;
  readonly params: unknown;
  readonly ctx: CollectionContext;
  readonly onDiff: (diff: CollectionDiff<unknown>) => void;
  view: Map<RowKey, unknown>;
  active: boolean;
}

/** The live set, the engine version and the operations on them. */
export interface SubscriptionHub {
  /** Authorize, hydrate, then join the live set. */
  subscribe<Row>(options: SubscribeOptions<Row>): Promise<Subscription<Row>>;
  /** One-shot authorize + hydrate + migrate + read rule. */
  hydrate<Row>(name: string, params: unknown, ctx: CollectionContext): Promise<Row[]>;
  /**
   * Commits a batch as one version and fans it out; no-op when empty.
   * Returns a promise only when there is fan-out to wait for.
   */
  applyBatch(changes: BufferedChange[]): Promise<void> | undefined;
  /** Live subscriptions of a collection. */
  count(name: string): number;
}

/** `row.id`, or `undefined` for a bare key (such a delete never leaves a view: W10). */
function defaultKey(row: unknown): RowKey {
  return (typeof row === 'object' && row !== null ? (row as { id?: RowKey }).id : undefined) as RowKey;
}

/**
 * Creates the live subscription set of a new engine.
 *
 * @param registry - the registries the hub reads collections, schemas and rules from
 * @returns a hub with an empty live set at version 0
 */
export function createSubscriptionHub(registry: Registry): SubscriptionHub {
  const live = new Set<LiveSubscription>();
  let version = 0;

  function collectionFor(name: string): AnyCollection {
    const collection = registry.collections.get(name);
    if (!collection) throw new Error(`Unknown collection "${name}"`);
    return collection;
  }

  async function authorize(name: string, collection: AnyCollection, params: unknown, ctx: CollectionContext) {
    if (collection.authorize && !(await collection.authorize(params, ctx))) {
      throw new UnauthorizedError(`subscribe to collection "${name}"`);
    }
  }

  /** hydrate, then migrate + read rule when single-table; `match` is trusted away. */
  async function load(collection: AnyCollection, params: unknown, ctx: CollectionContext): Promise<unknown[]> {
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
      const read = registry.permissions.get(change.table)?.read;
      passes = Boolean(sub.collection.match?.(row, sub.params, sub.ctx)) && (!read || Boolean(read(sub.ctx, row)));
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
    for (const [sub, acc] of diffs) {
      const diff = acc.result();
      if (diff && sub.active) sub.onDiff({ ...diff, version: batchVersion });
    }
  }

  return {
    async subscribe<Row>({ collection: name, params, ctx, onDiff }: SubscribeOptions<Row>): Promise<Subscription<Row>> {
      const collection = collectionFor(name);
      await authorize(name, collection, params, ctx);
      const initial = await load(collection, params, ctx);
      const tables = [...(collection.tables ?? [collection.name])];
      const key = collection.key ?? defaultKey;
      // Joins the live set only now: changes fanned out during hydrate are lost (W4).
      const sub: LiveSubscription = {
        name,
        collection,
        tables,
        incremental: collection.match !== undefined && tables.length === 1,
        key,
        params,
        ctx,
        onDiff: onDiff as (diff: CollectionDiff<unknown>) => void,
        view: index({ key }, initial),
        active: true,
      };
      live.add(sub);
      return {
        initial: initial as Row[],
        version,
        unsubscribe() {
          sub.active = false;
          live.delete(sub);
        },
      };
    },

    async hydrate<Row>(name: string, params: unknown, ctx: CollectionContext): Promise<Row[]> {
      const collection = collectionFor(name);
      await authorize(name, collection, params, ctx);
      return (await load(collection, params, ctx)) as Row[];
    },

    applyBatch(changes: BufferedChange[]): Promise<void> | undefined {
      if (changes.length === 0) return undefined;
      const batchVersion = ++version;
      // Nobody listening: the version moved, and no promise is made per write.
      return live.size === 0 ? undefined : fanOut(changes, batchVersion);
    },

    count(name: string): number {
      let n = 0;
      for (const sub of live) if (sub.name === name) n++;
      return n;
    },
  };
}
