import { describe, expect, it, vi } from 'vitest';
import type {
  CollectionContext,
  MutationActions,
  SyncPack,
  TableReader,
  TableWriter,
} from '../src/contract.js';
import {
  PackMissingDependencyError,
  PackTableConflictError,
  SchemaError,
  UnauthorizedError,
  createReferenceEngine,
  type ReferenceEngine,
} from '../spec/engine.js';

type Row = { id: string } & Record<string, unknown>;
type Call = { op: string; value: unknown; ctx: unknown; tx: unknown };

/** An in-memory table whose writer stamps `rev`, so tests can tell the writer's row from the payload. */
function memoryTable(initial: Row[] = []) {
  const rows = new Map(initial.map((row) => [row.id, row]));
  const calls: Call[] = [];
  let rev = 0;
  const keyOf = (value: unknown) => (typeof value === 'object' && value !== null ? (value as Row).id : String(value));
  const reader: TableReader<Row, unknown> = {
    all: (ctx) => (calls.push({ op: 'all', value: undefined, ctx, tx: undefined }), [...rows.values()]),
    get: (key, ctx) => (calls.push({ op: 'get', value: key, ctx, tx: undefined }), rows.get(String(key))),
  };
  const writer: TableWriter<Row, unknown, unknown> = {
    insert(data, ctx, tx) {
      calls.push({ op: 'insert', value: data, ctx, tx });
      const row = { ...data, rev: ++rev };
      rows.set(row.id, row);
      return row;
    },
    update(data, ctx, tx) {
      calls.push({ op: 'update', value: data, ctx, tx });
      const row = { ...rows.get(data.id), ...data, rev: ++rev };
      rows.set(row.id, row);
      return row;
    },
    delete(value, ctx, tx) {
      calls.push({ op: 'delete', value, ctx, tx });
      rows.delete(keyOf(value));
      return 'ignored';
    },
  };
  return { rows, calls, reader, writer };
}

type Script = (actions: MutationActions, ctx: CollectionContext) => Promise<unknown>;

/** A mutation whose args are the script to run: lets each test write its own handler inline. */
const scriptMutation = {
  name: 'run',
  handler: (script: Script, ctx: CollectionContext, actions: MutationActions) => script(actions, ctx),
};

function setup(pack: Partial<SyncPack> = {}, initial: Row[] = []) {
  const table = memoryTable(initial);
  const engine = createReferenceEngine({ now: () => 1234 });
  engine.registerPack({
    name: 'p',
    version: '1.0.0',
    ownsTables: ['t'],
    readers: { t: table.reader },
    writers: { t: table.writer },
    mutations: [scriptMutation],
    ...pack,
  });
  const run = (script: Script, ctx: CollectionContext = {}) => engine.runMutation('run', script, ctx);
  return { engine, table, run };
}

/** Subscribes to an incremental collection over table `t` and records every diff. */
async function watch(engine: ReferenceEngine) {
  engine.register({ name: 'all-t', tables: ['t'], hydrate: () => [], match: () => true });
  const diffs: unknown[] = [];
  await engine.subscribe({ collection: 'all-t', params: undefined, ctx: {}, onDiff: (diff, version) => diffs.push({ ...diff, version }) });
  return diffs;
}

describe('registerPack', () => {
  it('rejects a table owned by another pack before registering anything of the new pack', () => {
    const engine = createReferenceEngine();
    engine.registerPack({ name: 'first', version: '1', ownsTables: ['shared'] });
    const second: SyncPack = {
      name: 'second',
      version: '1',
      ownsTables: ['own', 'shared'],
      schemas: { own: { fields: {} } },
      readers: { own: memoryTable().reader },
      writers: { own: memoryTable().writer },
      collections: [{ name: 'own', hydrate: () => [] }],
      mutations: [{ name: 'm', handler: () => 1 }],
      schedules: [{ name: 's', pattern: '* * * * *', run: () => {} }],
    };
    let error: unknown;
    try {
      engine.registerPack(second);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PackTableConflictError);
    expect(error).toMatchObject({ table: 'shared', existingPack: 'first', newPack: 'second' });
    // Verbatim the real engine's text: hosts match on it.
    expect((error as Error).message).toBe('Pack "second" claims table "shared", but "first" already owns it. Use a tablePrefix on one of them.');
    expect(engine.inspect()).toEqual({
      version: 0,
      packs: [{ name: 'first', version: '1', ownsTables: ['shared'], readsTables: [] }],
      collections: [],
      mutations: [],
      schedules: [],
      readers: [],
      writers: [],
      recentChanges: [],
    });
    // 'own' was not claimed either.
    expect(() => engine.registerPack({ name: 'third', version: '1', ownsTables: ['own'] })).not.toThrow();
  });

  it('rejects the same pack registered twice when it owns tables, but not when it owns none', () => {
    const engine = createReferenceEngine();
    const pack = { name: 'p', version: '1', ownsTables: ['t'] };
    engine.registerPack(pack);
    expect(() => engine.registerPack(pack)).toThrow(PackTableConflictError);
    const tableless = { name: 'q', version: '1', ownsTables: [] };
    engine.registerPack(tableless);
    engine.registerPack(tableless);
    expect(engine.inspect().packs.map((p) => p.name)).toEqual(['p', 'q', 'q']);
  });

  it('does not treat host registrations as ownership, and lets the last registration win', async () => {
    const engine = createReferenceEngine();
    const source = (label: string): TableReader<Row, unknown> => ({ all: () => [{ id: label }] });
    const seen: unknown[] = [];
    engine.registerSchedule({ name: 'read', pattern: '@daily', run: async ({ db }) => void seen.push(await db.all('t')) });
    engine.registerReader('t', source('host'));
    engine.registerPack({ name: 'p', version: '1', ownsTables: ['t'], readers: { t: source('pack') } });
    await engine.runSchedule('read');
    engine.registerReader('t', source('host again'));
    await engine.runSchedule('read');
    expect(seen).toEqual([[{ id: 'pack' }], [{ id: 'host again' }]]);
    expect(engine.inspect().readers).toEqual(['t']);
  });

  it('checks requireDependencies against readers only, before the pack registers its own', () => {
    const engine = createReferenceEngine();
    engine.registerSchema('users', { fields: {} });
    engine.registerWriter('users', memoryTable().writer);
    engine.register({ name: 'users', hydrate: () => [] });
    const pack: SyncPack = {
      name: 'needs-users',
      version: '1',
      ownsTables: ['t'],
      readsTables: ['users'],
      requireDependencies: true,
      readers: { users: memoryTable().reader },
      mutations: [{ name: 'm', handler: () => 1 }],
    };
    expect(() => engine.registerPack(pack)).toThrow(PackMissingDependencyError);
    expect(() => engine.registerPack(pack)).toThrow(
      new PackMissingDependencyError('needs-users', 'users'),
    );
    expect(() => engine.registerPack(pack)).toThrow(
      'Pack "needs-users" requires a reader for table "users" but none is registered. ' +
        'Call engine.registerReader("users", ...) before engine.registerPack.',
    );
    try {
      engine.registerPack(pack);
    } catch (error) {
      expect(error).toMatchObject({ pack: 'needs-users', missingTable: 'users' });
    }
    expect(engine.inspect().readers).toEqual([]);
    expect(engine.inspect().mutations).toEqual([]);
    expect(engine.inspect().packs).toEqual([]);

    engine.registerReader('users', memoryTable().reader);
    engine.registerPack(pack);
    expect(engine.inspect().packs.map((p) => p.name)).toEqual(['needs-users']);
  });

  it('ignores missing dependencies without requireDependencies', () => {
    const engine = createReferenceEngine();
    engine.registerPack({ name: 'p', version: '1', ownsTables: [], readsTables: ['nowhere'] });
    expect(engine.inspect().packs).toEqual([{ name: 'p', version: '1', ownsTables: [], readsTables: ['nowhere'] }]);
  });

  it('dispatches in the contract order and is not atomic when a mutation is invalid (W1)', () => {
    const engine = createReferenceEngine();
    const pack: SyncPack = {
      name: 'p',
      version: '1',
      ownsTables: ['t'],
      schemas: { t: { fields: {} } },
      readers: { t: memoryTable().reader },
      writers: { t: memoryTable().writer },
      collections: [{ name: 'c', tables: ['t'], hydrate: () => [] }],
      mutations: [{ name: 'ok', handler: () => 1 }, { name: 'no-handler' }, { name: 'after', handler: () => 2 }],
      schedules: [{ name: 's', pattern: '@hourly', run: () => {} }],
    };
    expect(() => engine.registerPack(pack)).toThrow('Mutation "no-handler" must define either `handler` or `sandboxedHandler`');
    const seen = engine.inspect();
    expect(seen.readers).toEqual(['t']);
    expect(seen.writers).toEqual(['t']);
    expect(seen.collections.map((c) => c.name)).toEqual(['c']);
    expect(seen.mutations).toEqual(['ok']);
    expect(seen.schedules).toEqual([]);
    expect(seen.packs).toEqual([]);
    // The tables were never claimed, so a fixed pack registers on top.
    engine.registerPack({ ...pack, mutations: [{ name: 'ok', handler: () => 1 }] });
    expect(engine.inspect().packs.map((p) => p.name)).toEqual(['p']);
  });

  it('lets a later pack silently replace earlier registrations of the same names (W2)', async () => {
    const engine = createReferenceEngine();
    engine.registerMutation({ name: 'm', handler: () => 'host' });
    engine.registerPack({ name: 'p', version: '1', ownsTables: [], mutations: [{ name: 'm', handler: () => 'pack' }] });
    expect(await engine.runMutation('m', {}, {})).toBe('pack');
    engine.registerMutation({ name: 'm', handler: () => 'host again' });
    expect(await engine.runMutation('m', {}, {})).toBe('host again');
    expect(engine.inspect().mutations).toEqual(['m']);
  });

  it('replaces a table permission set as a whole', async () => {
    const { engine, run } = setup({ permissions: { t: { insert: () => false } } });
    engine.registerPermissions('t', { update: () => false });
    await expect(run((a) => a.insert('t', { id: 'a' }))).resolves.toMatchObject({ id: 'a' });
  });
});

describe('registerMutation', () => {
  it('requires exactly one of handler and sandboxedHandler', async () => {
    const engine = createReferenceEngine();
    expect(() => engine.registerMutation({ name: 'none' })).toThrow(
      new Error('Mutation "none" must define either `handler` or `sandboxedHandler`'),
    );
    expect(() => engine.registerMutation({ name: 'both', handler: () => 1, sandboxedHandler: '() => 1' })).toThrow(
      new Error('Mutation "both" defines both `handler` and `sandboxedHandler` — pick one'),
    );
    engine.registerMutation({ name: 'sandboxed', sandboxedHandler: '() => 1' });
    await expect(engine.runMutation('sandboxed', {}, {})).rejects.toThrow(/not supported by the reference engine/);
  });
});

describe('inspect and listSchedules', () => {
  it('lists packs, collections, mutations, schedules, readers and writers', async () => {
    const { engine } = setup({
      readsTables: ['other'],
      collections: [
        { name: 't', hydrate: () => [] },
        { name: 'multi', tables: ['t', 'other'], hydrate: () => [] },
      ],
      schedules: [{ name: 'sweep', pattern: '*/15 * * * * *', run: () => {} }],
    });
    const sub = await engine.subscribe({ collection: 't', params: undefined, ctx: {}, onDiff: () => {} });
    await engine.subscribe({ collection: 't', params: undefined, ctx: {}, onDiff: () => {} });
    await engine.subscribe({ collection: 'multi', params: undefined, ctx: {}, onDiff: () => {} });
    expect(engine.inspect()).toEqual({
      version: 0,
      packs: [{ name: 'p', version: '1.0.0', ownsTables: ['t'], readsTables: ['other'] }],
      collections: [
        { name: 't', kind: 'view', tables: ['t'], subscriptions: 2 },
        { name: 'multi', kind: 'view', tables: ['t', 'other'], subscriptions: 1 },
      ],
      mutations: ['run'],
      schedules: [{ name: 'sweep', pattern: '*/15 * * * * *' }],
      readers: ['t'],
      writers: ['t'],
      recentChanges: [],
    });
    expect([engine.subscriptionCount(), engine.subscriptionCount('t'), engine.subscriptionCount('nope')]).toEqual([3, 2, 0]);
    sub.unsubscribe();
    sub.unsubscribe();
    expect(engine.inspect().collections[0]?.subscriptions).toBe(1);
    expect(engine.subscriptionCount()).toBe(2);
    // The engine lists the definitions themselves, run function included.
    expect(engine.listSchedules()).toEqual([{ name: 'sweep', pattern: '*/15 * * * * *', run: expect.any(Function) }]);
  });

  it('reports the version and the last 50 changes, oldest first', async () => {
    const { engine, run } = setup();
    await run(async (a) => {
      await a.insert('t', { id: 'a' });
      await a.delete('t', { id: 'a' });
    });
    expect(engine.inspect()).toMatchObject({
      version: 1,
      recentChanges: [
        { version: 1, table: 't', op: 'insert' },
        { version: 1, table: 't', op: 'delete' },
      ],
    });
    for (let i = 0; i < 60; i++) await run((a) => a.update('t', { id: `r${i}` }));
    const { version, recentChanges } = engine.inspect();
    expect(version).toBe(61);
    expect(recentChanges).toHaveLength(50);
    expect(recentChanges[0]).toEqual({ version: 12, table: 't', op: 'update' });
    expect(recentChanges.at(-1)).toEqual({ version: 61, table: 't', op: 'update' });
  });

  it('returns fresh copies that callers cannot use to change the engine', () => {
    const owns = ['t'];
    const engine = createReferenceEngine();
    engine.registerPack({ name: 'p', version: '1', ownsTables: owns, collections: [{ name: 'c', tables: ['t'], hydrate: () => [] }] });
    owns.push('sneaky');
    const first = engine.inspect();
    first.packs[0]?.ownsTables.push('x');
    first.packs[0]?.readsTables.push('y');
    first.packs.push({ name: 'fake', version: '0', ownsTables: [], readsTables: [] });
    first.collections[0]?.tables.push('z');
    first.mutations.push('m');
    first.readers.push('r');
    engine.listSchedules().push({ name: 'x', pattern: 'y', run: () => {} });
    first.recentChanges.push({ version: 9, table: 't', op: 'insert' });
    expect(engine.inspect()).toEqual({
      version: 0,
      packs: [{ name: 'p', version: '1', ownsTables: ['t'], readsTables: [] }],
      collections: [{ name: 'c', kind: 'view', tables: ['t'], subscriptions: 0 }],
      mutations: [],
      schedules: [],
      readers: [],
      writers: [],
      recentChanges: [],
    });
    expect(engine.listSchedules()).toEqual([]);
  });
});

describe('runMutation', () => {
  it('rejects an unknown mutation with a plain Error naming it', async () => {
    const engine = createReferenceEngine();
    await expect(engine.runMutation('nope', {}, {})).rejects.toThrow(new Error('Unknown mutation "nope"'));
  });

  it('authorizes with args and ctx, rejecting a falsy answer with UnauthorizedError', async () => {
    const engine = createReferenceEngine();
    const handler = vi.fn(() => 'done');
    const authorize = vi.fn((args: { ok: boolean }) => Promise.resolve(args.ok));
    engine.registerMutation({ name: 'm', authorize, handler });
    const denied = engine.runMutation('m', { ok: false }, { user: 'u' });
    await expect(denied).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(denied).rejects.toThrow('Not authorized: run mutation "m"');
    expect(handler).not.toHaveBeenCalled();
    expect(await engine.runMutation('m', { ok: true }, { user: 'u' })).toBe('done');
    expect(authorize).toHaveBeenLastCalledWith({ ok: true }, { user: 'u' });
  });

  it('propagates an authorize throw unchanged', async () => {
    const engine = createReferenceEngine();
    const boom = new Error('auth backend down');
    engine.registerMutation({ name: 'm', authorize: () => { throw boom; }, handler: () => 1 });
    await expect(engine.runMutation('m', {}, {})).rejects.toBe(boom);
  });

  it('passes args and ctx to the handler and returns its result', async () => {
    const engine = createReferenceEngine();
    engine.registerMutation({ name: 'm', handler: async (args: number, ctx: CollectionContext) => [args, ctx] });
    expect(await engine.runMutation('m', 7, { user: 'u' })).toEqual([7, { user: 'u' }]);
  });

  it('gives actions.now() the injected clock', async () => {
    const { run } = setup();
    expect(await run(async (a) => a.now())).toBe(1234);
  });
});

describe('actions.insert', () => {
  const schemas = { t: { fields: { id: (v: unknown) => typeof v === 'string', n: (v: unknown) => typeof v === 'number' } } };

  it('validates every schema field, treating a missing one as undefined', async () => {
    const { run, table } = setup({ schemas });
    const missing = run((a) => a.insert('t', { id: 'a' }));
    await expect(missing).rejects.toBeInstanceOf(SchemaError);
    await expect(missing).rejects.toThrow('Schema violation on "t": invalid field "n"');
    await expect(missing).rejects.toMatchObject({ table: 't', field: 'n' });
    expect(table.calls.filter((c) => c.op === 'insert')).toEqual([]);
    await expect(run((a) => a.insert('t', { id: 'a', n: 1, extra: 'allowed' }))).resolves.toMatchObject({ id: 'a' });
  });

  it('validates before the write rule', async () => {
    const rule = vi.fn(() => true);
    const { run } = setup({ schemas, permissions: { t: { insert: rule } } });
    await expect(run((a) => a.insert('t', { id: 'a', n: 'x' }))).rejects.toBeInstanceOf(SchemaError);
    expect(rule).not.toHaveBeenCalled();
  });

  it('skips the schema for a payload that is not an object', async () => {
    const { engine } = setup({ schemas });
    const seen: unknown[] = [];
    engine.registerWriter('t', { insert: (d) => (seen.push(d), d), update: (d) => d, delete: () => {} });
    await engine.runMutation('run', ((a: MutationActions) => a.insert('t', 'bare')) satisfies Script, {});
    expect(seen).toEqual(['bare']);
  });

  it('checks insert ?? write against the payload with the mutation ctx', async () => {
    const insert = vi.fn((ctx: CollectionContext, row: Row) => row.owner === ctx.user);
    const { run } = setup({ permissions: { t: { insert, write: () => false } } });
    await expect(run((a) => a.insert('t', { id: 'a', owner: 'bob' }), { user: 'bob' })).resolves.toMatchObject({ id: 'a' });
    expect(insert).toHaveBeenCalledWith({ user: 'bob' }, { id: 'a', owner: 'bob' });
    const denied = run((a) => a.insert('t', { id: 'b', owner: 'eve' }), { user: 'bob' });
    await expect(denied).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(denied).rejects.toThrow('Not authorized: insert on table "t"');

    const fallback = setup({ permissions: { t: { write: () => false } } });
    await expect(fallback.run((a) => a.insert('t', { id: 'a' }))).rejects.toBeInstanceOf(UnauthorizedError);
    expect(fallback.table.calls.filter((c) => c.op === 'insert')).toEqual([]);
  });

  it('allows everything on a table without a permission set', async () => {
    const { run } = setup({ permissions: { other: { write: () => false } } });
    await expect(run((a) => a.insert('t', { id: 'a' }))).resolves.toMatchObject({ id: 'a' });
  });

  it('requires a registered writer', async () => {
    const { run } = setup();
    await expect(run((a) => a.insert('missing', { id: 'a' }))).rejects.toThrow(
      new Error('No writer registered for table "missing" — register one with engine.registerWriter, or use actions.change'),
    );
  });

  it("resolves to the writer's row, gives the writer ctx and tx undefined, and buffers that row", async () => {
    const { engine, run, table } = setup();
    const diffs = await watch(engine);
    const stored = await run((a) => a.insert('t', { id: 'a' }), { user: 'u' });
    expect(stored).toEqual({ id: 'a', rev: 1 });
    expect(table.calls).toEqual([{ op: 'insert', value: { id: 'a' }, ctx: { user: 'u' }, tx: undefined }]);
    expect(diffs).toEqual([{ added: [{ id: 'a', rev: 1 }], changed: [], removed: [], version: 1 }]);
  });
});

describe('actions.update', () => {
  it('validates only the fields present in the payload', async () => {
    const schemas = { t: { fields: { name: (v: unknown) => typeof v === 'string', n: (v: unknown) => typeof v === 'number' } } };
    const { run } = setup({ schemas }, [{ id: 'a', name: 'x', n: 1 }]);
    await expect(run((a) => a.update('t', { id: 'a', n: 2 }))).resolves.toMatchObject({ n: 2, name: 'x' });
    await expect(run((a) => a.update('t', { id: 'a', name: 5 }))).rejects.toThrow(
      'Schema violation on "t": invalid field "name"',
    );
  });

  it('judges update ?? write against the stored row, not the new values (W7)', async () => {
    const update = vi.fn((ctx: CollectionContext, row: Row) => row.owner === ctx.user);
    const { run, table } = setup({ permissions: { t: { update } } }, [{ id: 'a', owner: 'alice' }]);
    // Bob claims the row in his payload: the rule still sees alice's row.
    await expect(run((a) => a.update('t', { id: 'a', owner: 'bob' }), { user: 'bob' })).rejects.toThrow(
      'Not authorized: update on table "t"',
    );
    // Alice may hand it to bob: the rule never sees the new owner.
    await run((a) => a.update('t', { id: 'a', owner: 'bob' }), { user: 'alice' });
    expect(table.rows.get('a')).toMatchObject({ owner: 'bob' });
    expect(update).toHaveBeenLastCalledWith({ user: 'alice' }, { id: 'a', owner: 'alice' });
    // The lookup used the caller's ctx.
    expect(table.calls.find((c) => c.op === 'get')).toEqual({ op: 'get', value: 'a', ctx: { user: 'bob' }, tx: undefined });
  });

  it('falls back to the payload when the row is not stored', async () => {
    const write = vi.fn((ctx: CollectionContext, row: Row) => row.owner === ctx.user);
    const { run } = setup({ permissions: { t: { write } } });
    await run((a) => a.update('t', { id: 'new', owner: 'bob' }), { user: 'bob' });
    expect(write).toHaveBeenCalledWith({ user: 'bob' }, { id: 'new', owner: 'bob' });
  });

  it('falls back to the payload when the reader has no get', async () => {
    const write = vi.fn(() => true);
    const { engine, run } = setup({ permissions: { t: { write } } }, [{ id: 'a', owner: 'alice' }]);
    engine.registerReader('t', { all: () => [] });
    await run((a) => a.update('t', { id: 'a', owner: 'bob' }));
    expect(write).toHaveBeenCalledWith({}, { id: 'a', owner: 'bob' });
  });

  it('falls back to the payload when no key can be derived', async () => {
    const write = vi.fn(() => true);
    const { run, table } = setup({ permissions: { t: { write } } }, [{ id: 'a', owner: 'alice' }]);
    await run((a) => a.update('t', { name: 'no id' }));
    expect(write).toHaveBeenCalledWith({}, { name: 'no id' });
    expect(table.calls.some((c) => c.op === 'get')).toBe(false);
  });

  it('derives the lookup key with reader.key when present', async () => {
    const write = vi.fn(() => true);
    const { engine, run, table } = setup({ permissions: { t: { write } } }, [{ id: 'k1', owner: 'alice' }]);
    engine.registerReader('t', { ...table.reader, key: (row: { slug?: string }) => `k${row.slug}` });
    await run((a) => a.update('t', { slug: '1', id: 'k1', owner: 'bob' }));
    expect(write).toHaveBeenCalledWith({}, { id: 'k1', owner: 'alice' });
  });

  it("buffers the writer's returned row", async () => {
    const { engine, run } = setup({}, [{ id: 'a', n: 1 }]);
    engine.register({ name: 'all-t', tables: ['t'], hydrate: () => [{ id: 'a', n: 1 }], match: () => true });
    const diffs: unknown[] = [];
    await engine.subscribe({ collection: 'all-t', params: undefined, ctx: {}, onDiff: (d) => diffs.push(d) });
    await run((a) => a.update('t', { id: 'a', n: 2 }));
    expect(diffs).toEqual([{ added: [], changed: [{ id: 'a', n: 2, rev: 1 }], removed: [] }]);
  });
});

describe('actions.delete', () => {
  it('never checks the schema', async () => {
    const { run, table } = setup({ schemas: { t: { fields: { id: () => false } } } }, [{ id: 'a' }]);
    await run((a) => a.delete('t', { id: 'a' }));
    expect(table.rows.has('a')).toBe(false);
  });

  it('judges delete ?? write against the stored row, else the value passed', async () => {
    const rule = vi.fn((ctx: CollectionContext, row: Row) => row.owner === ctx.user);
    const { run, table } = setup({ permissions: { t: { delete: rule, write: () => false } } }, [{ id: 'a', owner: 'alice' }]);
    await expect(run((a) => a.delete('t', { id: 'a', owner: 'bob' }), { user: 'bob' })).rejects.toThrow(
      'Not authorized: delete on table "t"',
    );
    expect(table.rows.has('a')).toBe(true);
    await run((a) => a.delete('t', { id: 'a' }), { user: 'alice' });
    expect(rule).toHaveBeenLastCalledWith({ user: 'alice' }, { id: 'a', owner: 'alice' });
    await run((a) => a.delete('t', { id: 'gone', owner: 'carol' }), { user: 'carol' });
    expect(rule).toHaveBeenLastCalledWith({ user: 'carol' }, { id: 'gone', owner: 'carol' });
  });

  it('passes the value to the writer, ignores its return and resolves void', async () => {
    const { run, table } = setup({}, [{ id: 'a' }]);
    expect(await run((a) => a.delete('t', { id: 'a' }), { user: 'u' })).toBeUndefined();
    expect(table.calls).toEqual([{ op: 'delete', value: { id: 'a' }, ctx: { user: 'u' }, tx: undefined }]);
  });

  it('requires a writer', async () => {
    const { run } = setup();
    await expect(run((a) => a.delete('nope', { id: 'a' }))).rejects.toThrow('No writer registered for table "nope"');
  });
});

describe('actions.change', () => {
  it('buffers the change as-is with no writer, rule or schema', async () => {
    const { engine, run, table } = setup({
      schemas: { t: { fields: { id: () => false } } },
      permissions: { t: { write: () => false } },
    });
    const diffs = await watch(engine);
    await run(async (a) => a.change('t', { op: 'insert', row: { id: 'x', raw: true } }));
    expect(table.calls).toEqual([]);
    expect(diffs).toEqual([{ added: [{ id: 'x', raw: true }], changed: [], removed: [], version: 1 }]);
  });
});

describe('runSchedule', () => {
  it('rejects an unknown schedule with a plain Error naming it', async () => {
    const engine = createReferenceEngine();
    await expect(engine.runSchedule('nope')).rejects.toThrow(new Error('Unknown schedule "nope"'));
  });

  it('runs with ctx {} and write rules off, but schemas on', async () => {
    const { engine, table } = setup(
      {
        schemas: { t: { fields: { n: (v: unknown) => typeof v === 'number' } } },
        permissions: { t: { write: () => false, insert: () => false, update: () => false, delete: () => false } },
        schedules: [
          {
            name: 's',
            pattern: '@daily',
            run: async ({ actions }) => {
              await actions.insert('t', { id: 'b', n: 1 });
              await actions.update('t', { id: 'a', n: 2 });
              await actions.delete('t', { id: 'b' });
            },
          },
          { name: 'bad', pattern: '@daily', run: async ({ actions }) => void (await actions.insert('t', { id: 'c' })) },
        ],
      },
      [{ id: 'a', n: 1 }],
    );
    await engine.runSchedule('s');
    expect(table.calls.map((c) => [c.op, c.ctx, c.tx])).toEqual([
      ['insert', {}, undefined],
      ['update', {}, undefined],
      ['delete', {}, undefined],
    ]);
    await expect(engine.runSchedule('bad')).rejects.toBeInstanceOf(SchemaError);
  });

  it('reads through db with ctx {}, migrate applied and read rules off', async () => {
    const results: unknown[] = [];
    const { engine, table } = setup(
      {
        schemas: { t: { fields: {}, migrate: (row: Row) => ({ ...row, migrated: true }) } },
        permissions: { t: { read: () => false } },
        schedules: [
          {
            name: 's',
            pattern: '@daily',
            run: async ({ db }) => {
              results.push(await db.all('t'), await db.get('t', 'a'), await db.get('t', 'zz'));
            },
          },
          { name: 'no-reader', pattern: '@daily', run: async ({ db }) => void (await db.all('x')) },
        ],
      },
      [{ id: 'a' }],
    );
    await engine.runSchedule('s');
    expect(results).toEqual([[{ id: 'a', migrated: true }], { id: 'a', migrated: true }, undefined]);
    expect(table.calls.map((c) => c.ctx)).toEqual([{}, {}, {}]);
    await expect(engine.runSchedule('no-reader')).rejects.toThrow(
      new Error('No reader registered for table "x" — register one with engine.registerReader'),
    );
    engine.registerReader('t', { all: () => [] });
    engine.registerSchedule({ name: 'no-get', pattern: '@daily', run: async ({ db }) => void (await db.get('t', 'a')) });
    await expect(engine.runSchedule('no-get')).rejects.toThrow(new Error('Reader for table "t" has no get(); use db.all() or add get'));
  });

  it('emits its buffered changes as one batch only after run resolves', async () => {
    let diffsDuringRun = -1;
    const { engine } = setup({
      schedules: [
        {
          name: 's',
          pattern: '@daily',
          run: async ({ actions }) => {
            await actions.insert('t', { id: 'a' });
            await actions.insert('t', { id: 'b' });
            diffsDuringRun = diffs.length;
          },
        },
      ],
    });
    const diffs = await watch(engine);
    await engine.runSchedule('s');
    expect(diffsDuringRun).toBe(0);
    expect(diffs).toEqual([{ added: [{ id: 'a', rev: 1 }, { id: 'b', rev: 2 }], changed: [], removed: [], version: 1 }]);
  });

  it('propagates errors of run unchanged', async () => {
    const boom = new Error('boom');
    const { engine } = setup({ schedules: [{ name: 's', pattern: 'x', run: () => { throw boom; } }] });
    await expect(engine.runSchedule('s')).rejects.toBe(boom);
  });
});
