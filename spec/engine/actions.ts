/**
 * `MutationActions` and the schedule `db` handle (ENGINE_CONTRACT.md §3, §4,
 * §5, §7). Order inside each write: schema check on the payload, write rule
 * (mutations only), writer, buffer. Nothing reaches subscribers until the
 * caller applies the buffer as one batch.
 *
 * @module
 */
import type {
  CollectionContext,
  MutationActions,
  ReadHandle,
  RowKey,
  TableChange,
  TablePermissions,
  TableWriter,
} from '../../src/contract.js';
import { SchemaError, UnauthorizedError } from './errors.js';
import type { Registry } from './registry.js';

/** A change waiting in an attempt's buffer. */
export interface BufferedChange extends TableChange<unknown> {
  /** The table it belongs to. */
  table: string;
}

/** What one attempt's actions write with. */
export interface ActionScope {
  /** The registries. */
  registry: Registry;
  /** The mutation's ctx, or `{}` for schedules. */
  ctx: CollectionContext;
  /** Write rules apply in mutations only. */
  writeRules: boolean;
  /** The attempt's change buffer. */
  buffer: BufferedChange[];
  /** The engine's clock. */
  now: () => number;
}

type WriteOp = 'insert' | 'update' | 'delete';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Validates every schema field (insert) or only those present (update); payloads that aren't objects are skipped. */
function checkSchema(registry: Registry, table: string, data: unknown, onlyPresent: boolean): void {
  const schema = registry.schemas.get(table);
  if (!schema || !isObject(data)) return;
  // for-in, not Object.entries: this runs on every write and allocates nothing.
  for (const field in schema.fields) {
    if (!Object.hasOwn(schema.fields, field)) continue;
    if (onlyPresent && !(field in data)) continue;
    if (!schema.fields[field]!(data[field])) throw new SchemaError(table, field);
  }
}

/** The rule for `op`, falling back to `write`; no permission set ⇒ no rule. */
function writeRule(registry: Registry, table: string, op: WriteOp) {
  const rules: TablePermissions<unknown, CollectionContext> | undefined = registry.permissions.get(table);
  return rules?.[op] ?? rules?.write;
}

/**
 * The row a rule judges for update/delete: the stored row when the reader
 * has `get`, a key is derivable and the lookup is not `undefined` (W7, W9);
 * otherwise the payload. Looked up with the caller's ctx (W11).
 */
async function ruleSubject(scope: ActionScope, table: string, data: unknown): Promise<unknown> {
  const reader = scope.registry.readers.get(table);
  if (!reader?.get) return data;
  let key: RowKey | undefined;
  if (reader.key) key = reader.key(data);
  else if (isObject(data)) key = data.id as RowKey | undefined;
  if (key === undefined || key === null) return data;
  const existing = await reader.get(key, scope.ctx);
  return existing === undefined ? data : existing;
}

/** Throws unless the rule admits the write of `subject`. */
function judgeWrite(rule: (ctx: CollectionContext, row: unknown) => boolean, scope: ActionScope, table: string, op: WriteOp, subject: unknown): void {
  if (!rule(scope.ctx, subject)) throw new UnauthorizedError(`${op} on table "${table}"`);
}

/**
 * Applies the write rule. An insert is judged on its payload, synchronously;
 * only update and delete return a promise (they may read the stored row).
 */
function authorizeWrite(scope: ActionScope, table: string, op: WriteOp, data: unknown): Promise<void> | undefined {
  if (!scope.writeRules) return undefined;
  const rule = writeRule(scope.registry, table, op);
  if (!rule) return undefined;
  if (op !== 'insert') return ruleSubject(scope, table, data).then((subject) => judgeWrite(rule, scope, table, op, subject));
  judgeWrite(rule, scope, table, op, data);
  return undefined;
}

function writerFor(registry: Registry, table: string): TableWriter<unknown, CollectionContext, undefined> {
  const writer = registry.writers.get(table);
  if (!writer) throw new Error(`No writer registered for table "${table}" — register one with engine.registerWriter, or use actions.change`);
  return writer;
}

/**
 * Actions for one attempt. No transaction runner exists here, so writers
 * always get `tx = undefined` and a throwing handler leaves earlier writes
 * persisted but never emitted (W6).
 *
 * @param scope - ctx, rule switch, buffer and clock of the attempt
 * @returns the actions handed to a handler or schedule
 */
export function createActions(scope: ActionScope): MutationActions {
  const { registry, ctx, buffer } = scope;
  /** Insert and update: the same four steps; an update checks only the fields it carries. */
  const write = async <Row>(op: 'insert' | 'update', table: string, data: unknown): Promise<Row> => {
    checkSchema(registry, table, data, op === 'update');
    const authorizing = authorizeWrite(scope, table, op, data);
    if (authorizing !== undefined) await authorizing;
    const row = await writerFor(registry, table)[op](data, ctx, undefined);
    buffer.push({ table, op, row });
    return row as Row;
  };
  return {
    insert: (table, data) => write('insert', table, data),
    update: (table, data) => write('update', table, data),
    async delete(table: string, rowOrKey: unknown): Promise<void> {
      await authorizeWrite(scope, table, 'delete', rowOrKey);
      await writerFor(registry, table).delete(rowOrKey, ctx, undefined);
      // Subscribers get the value passed, not the stored row (W10).
      buffer.push({ table, op: 'delete', row: rowOrKey });
    },
    change<Row>(table: string, change: TableChange<Row>): Promise<void> {
      buffer.push({ table, op: change.op, row: change.row });
      return Promise.resolve();
    },
    now: scope.now,
  };
}

/**
 * The schedule `db` handle: ctx `{}`, read rules off, `migrate` applied;
 * `where` is `all` plus a filter, as in the engine.
 *
 * @param registry - the registries
 * @param ctx - the schedule attempt's ctx (`{}`)
 * @returns a read handle over the registered readers
 */
export function createReadHandle(registry: Registry, ctx: CollectionContext): ReadHandle {
  const migrate = (table: string, row: unknown): unknown => {
    const fn = registry.schemas.get(table)?.migrate;
    return fn ? fn(row) : row;
  };
  const readerFor = (table: string) => {
    const reader = registry.readers.get(table);
    if (!reader) throw new Error(`No reader registered for table "${table}" — register one with engine.registerReader`);
    return reader;
  };
  const all = async <Row>(table: string): Promise<Row[]> =>
    [...(await readerFor(table).all(ctx))].map((row) => migrate(table, row) as Row);
  return {
    all,
    async get<Row>(table: string, key: RowKey): Promise<Row | undefined> {
      const reader = readerFor(table);
      if (!reader.get) throw new Error(`Reader for table "${table}" has no get(); use db.all() or add get`);
      const row = await reader.get(key, ctx);
      return row === undefined ? undefined : (migrate(table, row) as Row);
    },
    where: async <Row>(table: string, predicate: (row: Row) => boolean): Promise<Row[]> => (await all<Row>(table)).filter(predicate),
  };
}
