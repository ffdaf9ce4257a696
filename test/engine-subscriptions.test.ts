import { describe, expect, it, vi } from 'vitest';
import type { CollectionContext, MutationActions, TableReader, TableWriter } from '../src/contract.js';
import {
  AbortError,
  UnauthorizedError,
  createReferenceEngine,
  type ReferenceEngine,
  type ReferenceEngineOptions,
  type ViewDiff,
} from '../spec/engine.js';

type Row = { id: string; room?: string; n?: number } & Record<string, unknown>;
type Script = (actions: MutationActions) => Promise<unknown>;

/** An in-memory table; the writer returns a copy stamped with `rev` so tests see the writer's row. */
function memoryTable(initial: Row[] = []) {
  const rows = new Map(initial.map((row) => [row.id, row]));
  let rev = 0;
  const reader: TableReader<Row, unknown> = { all: () => [...rows.values()], get: (key) => rows.get(String(key)) };
  const writer: TableWriter<Row, unknown, unknown> = {
    insert: (data) => {
      const row = { ...data, rev: ++rev };
      rows.set(row.id, row);
      return row;
    },
    update: (data) => {
      const row = { ...rows.get(data.id), ...data, rev: ++rev };
      rows.set(row.id, row);
      return row;
    },
    delete: (value) => void rows.delete(value.id),
  };
  return { rows, reader, writer };
}

/** Engine with table `t`, a script mutation `run`, and collection `room` (incremental unless `refetch`). */
function setup(initial: Row[] = [], options: { refetch?: boolean; engine?: ReferenceEngineOptions } = {}) {
  const table = memoryTable(initial);
  const engine = createReferenceEngine({ now: () => 0, ...options.engine });
  const match = vi.fn((row: Row, params: { room: string }) => row.room === params.room);
  const hydrate = vi.fn((params: { room: string }) => [...table.rows.values()].filter((row) => row.room === params.room));
  engine.registerPack({
    name: 'p',
    version: '1',
    ownsTables: ['t'],
    readers: { t: table.reader },
    writers: { t: table.writer },
    collections: [{ name: 'room', tables: ['t'], hydrate, ...(options.refetch ? {} : { match }) }],
    mutations: [{ name: 'run', handler: (script: Script, _ctx: CollectionContext, actions: MutationActions) => script(actions) }],
  });
  const run = (script: Script) => engine.runMutation('run', script, {});
  return { engine, table, run, match, hydrate };
}

/** A received diff with the version it came with. */
type Received = ViewDiff<Row> & { version: number };

/** An `onDiff` that records each diff with its version into `into`. */
const recordInto =
  (into: unknown[]) =>
  (diff: ViewDiff<unknown>, version: number): void =>
    void into.push({ ...diff, version });

async function watch(engine: ReferenceEngine, room = 'r1', ctx: CollectionContext = {}, collection = 'room') {
  const diffs: Received[] = [];
  const sub = await engine.subscribe<Row, { room: string }>({ collection, params: { room }, ctx, onDiff: recordInto(diffs) });
  return { diffs, sub };
}

const diff = (version: number, parts: Partial<ViewDiff<Row>>): Received => ({
  added: [],
  changed: [],
  removed: [],
  ...parts,
  version,
});

describe('subscribe', () => {
  it('rejects an unknown collection', async () => {
    const engine = createReferenceEngine();
    await expect(engine.subscribe({ collection: 'nope', params: undefined, ctx: {}, onDiff: () => {} })).rejects.toThrow(
      'Unknown collection "nope"',
    );
  });

  it('rejects a falsy authorize with UnauthorizedError and never hydrates', async () => {
    const engine = createReferenceEngine();
    const hydrate = vi.fn(() => []);
    const authorize = vi.fn(async (params: { ok: boolean }) => params.ok);
    engine.register({ name: 'c', hydrate, authorize });
    const denied = engine.subscribe({ collection: 'c', params: { ok: false }, ctx: { u: 1 }, onDiff: () => {} });
    await expect(denied).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(denied).rejects.toThrow('Not authorized: subscribe to collection "c"');
    expect(authorize).toHaveBeenCalledWith({ ok: false }, { u: 1 });
    expect(hydrate).not.toHaveBeenCalled();
    expect(engine.inspect().collections[0]?.subscriptions).toBe(0);
    await expect(engine.hydrate('c', { ok: false }, {})).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('propagates an authorize or hydrate throw unchanged', async () => {
    const engine = createReferenceEngine();
    const boom = new Error('boom');
    engine.register({ name: 'a', hydrate: () => [], authorize: () => Promise.reject(boom) });
    engine.register({ name: 'h', hydrate: async () => { throw boom; } });
    await expect(engine.subscribe({ collection: 'a', params: undefined, ctx: {}, onDiff: () => {} })).rejects.toBe(boom);
    await expect(engine.subscribe({ collection: 'h', params: undefined, ctx: {}, onDiff: () => {} })).rejects.toBe(boom);
  });

  it('applies migrate then the read rule to a single-table hydrate, and never match', async () => {
    const { engine } = setup([
      { id: 'a', room: 'r1', secret: false },
      { id: 'b', room: 'r1', secret: true },
    ]);
    engine.registerSchema('t', { fields: {}, migrate: (row: Row) => ({ ...row, v: 2 }) });
    const read = vi.fn((_ctx: CollectionContext, row: Row) => row.v === 2 && !row.secret);
    engine.registerPermissions('t', { read });
    // match says no to everything: hydrate output is trusted.
    engine.register({ name: 'trusting', tables: ['t'], hydrate: () => [{ id: 'a', secret: false }], match: () => false });
    const sub = await engine.subscribe<Row, { room: string }>({ collection: 'room', params: { room: 'r1' }, ctx: { u: 1 }, onDiff: () => {} });
    expect(sub.initial).toEqual([{ id: 'a', room: 'r1', secret: false, v: 2 }]);
    expect(read).toHaveBeenCalledWith({ u: 1 }, { id: 'a', room: 'r1', secret: false, v: 2 });
    expect(await engine.hydrate('room', { room: 'r1' }, {})).toEqual(sub.initial);
    expect(await engine.hydrate('trusting', undefined, {})).toEqual([{ id: 'a', secret: false, v: 2 }]);
  });

  it('applies neither migrate nor read rules to a multi-table collection', async () => {
    const engine = createReferenceEngine();
    engine.registerSchema('t', { fields: {}, migrate: () => ({ id: 'migrated' }) });
    engine.registerPermissions('t', { read: () => false });
    engine.register({ name: 'multi', tables: ['t', 'u'], hydrate: () => [{ id: 'raw' }] });
    expect(await engine.hydrate('multi', undefined, {})).toEqual([{ id: 'raw' }]);
  });

  it('uses the collection name as its table by default', async () => {
    const engine = createReferenceEngine();
    engine.registerPermissions('t', { read: (_ctx, row: Row) => row.id !== 'hidden' });
    engine.register({ name: 't', hydrate: () => [{ id: 'shown' }, { id: 'hidden' }] });
    expect(await engine.hydrate('t', undefined, {})).toEqual([{ id: 'shown' }]);
  });

  it('reports the engine version at subscribe time', async () => {
    const { engine, run } = setup();
    await run((a) => a.insert('t', { id: 'a', room: 'x' }));
    await run(async () => undefined); // an empty batch is not a version
    expect((await watch(engine)).sub.version).toBe(1);
  });
});

describe('incremental fan-out (match + one table)', () => {
  it("emits added with the writer's row when an insert matches, and nothing when it does not", async () => {
    const { engine, run } = setup();
    const { diffs } = await watch(engine);
    await run((a) => a.insert('t', { id: 'x', room: 'r2' }));
    await run((a) => a.insert('t', { id: 'a', room: 'r1' }));
    expect(diffs).toEqual([diff(2, { added: [{ id: 'a', room: 'r1', rev: 2 }] })]);
  });

  it('emits changed for every matching update, equal or not', async () => {
    const row = { id: 'a', room: 'r1' };
    const engine = createReferenceEngine();
    engine.registerWriter('t', { insert: (d) => d, update: () => row, delete: () => {} });
    engine.register({ name: 'room', tables: ['t'], hydrate: () => [row], match: () => true });
    engine.registerMutation({ name: 'touch', handler: (_: unknown, __: unknown, a: MutationActions) => a.update('t', row) });
    const { diffs } = await watch(engine);
    await engine.runMutation('touch', {}, {});
    expect(diffs).toEqual([diff(1, { changed: [row] })]);
  });

  it('emits removed with the previously held row when an update stops matching', async () => {
    const { engine, run, match } = setup([{ id: 'a', room: 'r1', n: 1 }]);
    const { diffs } = await watch(engine);
    await run((a) => a.update('t', { id: 'a', room: 'r2' }));
    expect(match).toHaveBeenCalledWith({ id: 'a', room: 'r2', n: 1, rev: 1 }, { room: 'r1' }, {});
    expect(diffs).toEqual([diff(1, { removed: [{ id: 'a', room: 'r1', n: 1 }] })]);
  });

  it('emits added when an update starts matching', async () => {
    const { engine, run } = setup([{ id: 'a', room: 'r2' }]);
    const { diffs } = await watch(engine);
    await run((a) => a.update('t', { id: 'a', room: 'r1' }));
    expect(diffs).toEqual([diff(1, { added: [{ id: 'a', room: 'r1', rev: 1 }] })]);
  });

  it('removes a deleted key with the held row without calling match', async () => {
    const { engine, run, match } = setup([{ id: 'a', room: 'r1', n: 1 }]);
    const { diffs } = await watch(engine);
    await run((a) => a.delete('t', { id: 'a' }));
    await run((a) => a.delete('t', { id: 'never-held' }));
    expect(match).not.toHaveBeenCalled();
    expect(diffs).toEqual([diff(1, { removed: [{ id: 'a', room: 'r1', n: 1 }] })]);
  });

  it('cannot remove a row deleted by bare key under the default key (W10)', async () => {
    const { engine } = setup([{ id: 'a', room: 'r1' }]);
    engine.registerWriter('t', { insert: (d) => d, update: (d) => d, delete: () => {} });
    engine.registerMutation({ name: 'del', handler: (_: unknown, __: unknown, a: MutationActions) => a.delete('t', 'a') });
    const { diffs } = await watch(engine);
    await engine.runMutation('del', {}, {});
    expect(diffs).toEqual([]);
  });

  it('folds the read rule into matching, with the subscription ctx', async () => {
    const { engine, run } = setup([{ id: 'a', room: 'r1' }]);
    engine.registerPermissions('t', { read: (ctx, row: Row) => row.n !== ctx.hidden });
    const { diffs } = await watch(engine, 'r1', { hidden: 9 });
    await run((a) => a.update('t', { id: 'a', n: 9 }));
    await run((a) => a.insert('t', { id: 'b', room: 'r1', n: 9 }));
    await run((a) => a.insert('t', { id: 'c', room: 'r1', n: 1 }));
    expect(diffs).toEqual([diff(1, { removed: [{ id: 'a', room: 'r1' }] }), diff(3, { added: [{ id: 'c', room: 'r1', n: 1, rev: 3 }] })]);
  });

  it('keys rows with the collection key', async () => {
    const engine = createReferenceEngine();
    const table = memoryTable();
    engine.registerWriter('t', table.writer);
    engine.register({ name: 'c', tables: ['t'], hydrate: () => [{ id: 'a', slug: 's1' }], key: (row: Row) => String(row.slug), match: () => true });
    engine.registerMutation({ name: 'm', handler: (_: unknown, __: unknown, a: MutationActions) => a.insert('t', { id: 'b', slug: 's1' }) });
    const diffs: unknown[] = [];
    await engine.subscribe({ collection: 'c', params: undefined, ctx: {}, onDiff: recordInto(diffs) });
    await engine.runMutation('m', {}, {});
    expect(diffs).toEqual([diff(1, { changed: [{ id: 'b', slug: 's1', rev: 1 }] })]);
  });

  it('re-hydrates the subscription when match throws, and swallows the throw', async () => {
    const { engine, run, table, hydrate } = setup([{ id: 'a', room: 'r1' }]);
    engine.register({
      name: 'fragile',
      tables: ['t'],
      hydrate,
      match: (row: Row) => {
        if (row.n === 13) throw new Error('unlucky');
        return row.room === 'r1';
      },
    });
    const { diffs } = await watch(engine, 'r1', {}, 'fragile');
    table.rows.set('z', { id: 'z', room: 'r1' }); // written behind the engine's back
    hydrate.mockClear();
    await run((a) => a.insert('t', { id: 'b', room: 'r1', n: 13 }));
    expect(hydrate).toHaveBeenCalledTimes(1);
    expect(diffs).toEqual([diff(1, { added: [{ id: 'z', room: 'r1' }, { id: 'b', room: 'r1', n: 13, rev: 1 }] })]);
  });

  it('re-hydrates when the read rule throws during fan-out', async () => {
    const { engine, run, hydrate } = setup();
    engine.registerPermissions('t', {
      read: (_ctx, row: Row) => {
        if (row.n === 13) throw new Error('unlucky');
        return true;
      },
    });
    const { diffs } = await watch(engine);
    hydrate.mockClear();
    await run((a) => a.insert('t', { id: 'a', room: 'r1', n: 12 }));
    expect(hydrate).not.toHaveBeenCalled();
    await expect(run((a) => a.insert('t', { id: 'b', room: 'r1', n: 13 }))).rejects.toThrow('unlucky');
    // The re-hydrate itself filters with the same rule, so that throw is not swallowed (W5).
    expect(hydrate).toHaveBeenCalledTimes(1);
    expect(diffs).toHaveLength(1);
  });

  it('pushes change rows without migrate, unlike hydrate (W15)', async () => {
    const { engine, run } = setup([{ id: 'a', room: 'r1' }]);
    engine.registerSchema('t', { fields: {}, migrate: (row: Row) => ({ ...row, v: 2 }) });
    const { diffs, sub } = await watch(engine);
    expect(sub.initial).toEqual([{ id: 'a', room: 'r1', v: 2 }]);
    await run((a) => a.insert('t', { id: 'b', room: 'r1' }));
    expect(diffs).toEqual([diff(1, { added: [{ id: 'b', room: 'r1', rev: 1 }] })]);
  });

  it('does not deliver a batch to a subscription unsubscribed before emission', async () => {
    const { engine, run } = setup();
    let second: { unsubscribe(): void } | undefined;
    const first = await engine.subscribe({
      collection: 'room',
      params: { room: 'r1' },
      ctx: {},
      onDiff: () => second?.unsubscribe(),
    });
    const secondDiffs: unknown[] = [];
    second = await engine.subscribe({ collection: 'room', params: { room: 'r1' }, ctx: {}, onDiff: recordInto(secondDiffs) });
    await run((a) => a.insert('t', { id: 'a', room: 'r1' }));
    expect(secondDiffs).toEqual([]);
    expect(engine.inspect().collections[0]?.subscriptions).toBe(1);
    first.unsubscribe();
  });

  it('stops delivering after unsubscribe', async () => {
    const { engine, run } = setup();
    const { diffs, sub } = await watch(engine);
    sub.unsubscribe();
    await run((a) => a.insert('t', { id: 'a', room: 'r1' }));
    expect(diffs).toEqual([]);
  });
});

describe('netting within one batch', () => {
  it('cancels add then remove', async () => {
    const { engine, run } = setup();
    const { diffs } = await watch(engine);
    await run(async (a) => {
      await a.insert('t', { id: 'a', room: 'r1' });
      await a.delete('t', { id: 'a' });
    });
    expect(diffs).toEqual([]);
  });

  it('turns remove then add into changed', async () => {
    const { engine, run } = setup([{ id: 'a', room: 'r1' }]);
    const { diffs } = await watch(engine);
    await run(async (a) => {
      await a.delete('t', { id: 'a' });
      await a.insert('t', { id: 'a', room: 'r1', n: 2 });
    });
    expect(diffs).toEqual([diff(1, { changed: [{ id: 'a', room: 'r1', n: 2, rev: 1 }] })]);
  });

  it('keeps add then update as added with the latest row', async () => {
    const { engine, run } = setup();
    const { diffs } = await watch(engine);
    await run(async (a) => {
      await a.insert('t', { id: 'a', room: 'r1' });
      await a.update('t', { id: 'a', n: 5 });
    });
    expect(diffs).toEqual([diff(1, { added: [{ id: 'a', room: 'r1', n: 5, rev: 2 }] })]);
  });

  it('turns update then remove into removed', async () => {
    const { engine, run } = setup([{ id: 'a', room: 'r1' }]);
    const { diffs } = await watch(engine);
    await run(async (a) => {
      await a.update('t', { id: 'a', n: 1 });
      await a.delete('t', { id: 'a' });
    });
    expect(diffs).toEqual([diff(1, { removed: [{ id: 'a', room: 'r1', n: 1, rev: 1 }] })]);
  });

  it('gives every subscription the same version and computes all diffs before emitting any', async () => {
    const { engine, run, table } = setup();
    const events: string[] = [];
    engine.register({
      name: 'slow',
      tables: ['t'],
      hydrate: async () => {
        events.push('refetch');
        return [...table.rows.values()];
      },
    });
    await engine.subscribe({ collection: 'room', params: { room: 'r1' }, ctx: {}, onDiff: (_diff, version) => events.push(`room@${version}`) });
    await engine.subscribe({ collection: 'slow', params: undefined, ctx: {}, onDiff: (_diff, version) => events.push(`slow@${version}`) });
    events.length = 0;
    await run((a) => a.insert('t', { id: 'a', room: 'r1' }));
    expect(events).toEqual(['refetch', 'room@1', 'slow@1']);
  });
});

describe('refetch fan-out (no match, or several tables)', () => {
  it('re-hydrates every subscription on every change and diffs shallowly', async () => {
    const { engine, run, hydrate, table } = setup(
      [
        { id: 'a', room: 'r1', n: 1 },
        { id: 'b', room: 'r1', n: 1 },
      ],
      { refetch: true },
    );
    const one = await watch(engine);
    const two = await watch(engine);
    hydrate.mockClear();
    // Two changes, two subscriptions: four re-hydrates.
    await run(async (a) => {
      await a.update('t', { id: 'a', n: 2 });
      await a.insert('t', { id: 'c', room: 'r1' });
    });
    expect(hydrate).toHaveBeenCalledTimes(4);
    const expected = diff(1, { added: [{ id: 'c', room: 'r1', rev: 2 }], changed: [{ id: 'a', room: 'r1', n: 2, rev: 1 }] });
    expect(one.diffs).toEqual([expected]);
    expect(two.diffs).toEqual([expected]);
    await run((a) => a.delete('t', { id: 'b' }));
    expect(one.diffs[1]).toEqual(diff(2, { removed: [{ id: 'b', room: 'r1', n: 1 }] }));
    // A change outside the subscription's rows yields no diff at all.
    await run((a) => a.insert('t', { id: 'x', room: 'r9' }));
    expect(one.diffs).toHaveLength(2);
    // An update to an equal row (new object, same fields) is not a change in refetch mode.
    table.rows.set('a', { ...table.rows.get('a')! });
    await run(async (a) => a.change('t', { op: 'update', row: { id: 'a' } }));
    expect(one.diffs).toHaveLength(2);
  });

  it('uses refetch mode for a multi-table collection even with match', async () => {
    const engine = createReferenceEngine();
    let rows: Row[] = [{ id: 'a' }];
    const match = vi.fn(() => true);
    engine.register({ name: 'j', tables: ['t', 'u'], hydrate: () => rows, match });
    engine.registerMutation({
      name: 'm',
      handler: (_: unknown, __: unknown, a: MutationActions) => a.change('u', { op: 'insert', row: { id: 'ignored' } }),
    });
    const diffs: unknown[] = [];
    await engine.subscribe({ collection: 'j', params: undefined, ctx: {}, onDiff: recordInto(diffs) });
    rows = [{ id: 'b' }];
    await engine.runMutation('m', {}, {});
    expect(match).not.toHaveBeenCalled();
    expect(diffs).toEqual([diff(1, { added: [{ id: 'b' }], removed: [{ id: 'a' }] })]);
  });

  it('filters refetched rows with the read rule of a single table', async () => {
    const { engine, run } = setup([], { refetch: true });
    engine.registerPermissions('t', { read: (_ctx, row: Row) => row.n !== 9 });
    const { diffs } = await watch(engine);
    await run(async (a) => {
      await a.insert('t', { id: 'a', room: 'r1', n: 9 });
      await a.insert('t', { id: 'b', room: 'r1', n: 1 });
    });
    expect(diffs).toEqual([diff(1, { added: [{ id: 'b', room: 'r1', n: 1, rev: 2 }] })]);
  });

  it('ignores changes to tables the collection does not list', async () => {
    const { engine, hydrate } = setup([], { refetch: true });
    engine.registerMutation({
      name: 'other',
      handler: (_: unknown, __: unknown, a: MutationActions) => a.change('elsewhere', { op: 'insert', row: { id: 'q' } }),
    });
    await watch(engine);
    hydrate.mockClear();
    await engine.runMutation('other', {}, {});
    expect(hydrate).not.toHaveBeenCalled();
  });
});

describe('fan-out failure and races', () => {
  it('loses a change committed while hydrate is pending (W4)', async () => {
    const { engine, run, table } = setup();
    let release!: () => void;
    let snapshotTaken!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const taken = new Promise<void>((resolve) => (snapshotTaken = resolve));
    engine.register({
      name: 'gated',
      tables: ['t'],
      hydrate: async () => {
        const snapshot = [...table.rows.values()];
        snapshotTaken();
        await gate;
        return snapshot;
      },
      match: () => true,
    });
    const diffs: unknown[] = [];
    const pending = engine.subscribe({ collection: 'gated', params: undefined, ctx: {}, onDiff: recordInto(diffs) });
    // The commit lands after hydrate read its snapshot and before the subscription joins.
    await taken;
    await run((a) => a.insert('t', { id: 'a', room: 'r1' }));
    release();
    const sub = await pending;
    expect(sub.initial).toEqual([]);
    expect(sub.version).toBe(1);
    expect(diffs).toEqual([]);
  });

  it('rejects a committed mutation whose fan-out throws, and emits to nobody (W5)', async () => {
    const { engine, run, table } = setup();
    const boom = new Error('refetch failed');
    let fail = false;
    engine.register({ name: 'fragile', tables: ['t'], hydrate: () => (fail ? Promise.reject(boom) : []) });
    const incremental = await watch(engine);
    const refetching: unknown[] = [];
    await engine.subscribe({ collection: 'fragile', params: undefined, ctx: {}, onDiff: recordInto(refetching) });
    fail = true;
    await expect(run((a) => a.insert('t', { id: 'a', room: 'r1' }))).rejects.toBe(boom);
    expect(table.rows.has('a')).toBe(true);
    expect(incremental.diffs).toEqual([]);
    expect(refetching).toEqual([]);
    // The incremental view took the row anyway, so its next update arrives as changed, at the next version.
    fail = false;
    await run((a) => a.update('t', { id: 'a', n: 1 }));
    expect(incremental.diffs).toEqual([diff(2, { changed: [{ id: 'a', room: 'r1', n: 1, rev: 2 }] })]);
  });

  it('re-runs the handler when a fan-out failure is retryable, duplicating writes (W5)', async () => {
    const engine = createReferenceEngine({ now: () => 0, sleep: async () => {} });
    const table = memoryTable();
    engine.registerWriter('t', table.writer);
    let failures = 0;
    engine.register({
      name: 'c',
      tables: ['t'],
      hydrate: () => {
        if (failures > 0) {
          failures--;
          throw Object.assign(new Error('conflict'), { code: '40001' });
        }
        return [];
      },
    });
    let attempt = 0;
    engine.registerMutation({
      name: 'm',
      handler: (_: unknown, __: unknown, a: MutationActions) => a.insert('t', { id: `w${++attempt}` }),
      retry: {},
    });
    await engine.subscribe({ collection: 'c', params: undefined, ctx: {}, onDiff: () => {} });
    failures = 1;
    await engine.runMutation('m', {}, {});
    expect([...table.rows.keys()]).toEqual(['w1', 'w2']);
  });

  it('propagates an onDiff throw after earlier subscribers got the batch', async () => {
    const { engine, run } = setup();
    const first = await watch(engine);
    const boom = new Error('listener broke');
    await engine.subscribe({ collection: 'room', params: { room: 'r1' }, ctx: {}, onDiff: () => { throw boom; } });
    const last = await watch(engine);
    await expect(run((a) => a.insert('t', { id: 'a', room: 'r1' }))).rejects.toBe(boom);
    expect(first.diffs).toHaveLength(1);
    expect(last.diffs).toHaveLength(0);
  });
});

describe('cursors and resuming (since)', () => {
  /** `setup` on a named engine, plus a refetch collection `everything` over the same table. */
  const resumable = async (changeLogSize?: number) => {
    const { engine, run, table } = setup([], { engine: { instanceId: 'node-a', ...(changeLogSize === undefined ? {} : { changeLogSize }) } });
    engine.register({ name: 'everything', tables: ['t'], hydrate: () => [...table.rows.values()] });
    const subscribe = (since?: number | string, collection = 'room') =>
      engine.subscribe<Row, { room: string }>({ collection, params: { room: 'r1' }, ctx: {}, onDiff: () => {}, ...(since === undefined ? {} : { since }) });
    return { engine, run, subscribe };
  };

  it('gives the cursor as the JSON of { instanceId: version }, in the reply and as the third onDiff argument', async () => {
    const { engine, run, subscribe } = await resumable();
    expect((await subscribe()).cursor).toBe('{"node-a":0}');
    const seen: [number, string | undefined][] = [];
    await engine.subscribe<Row, { room: string }>({ collection: 'room', params: { room: 'r1' }, ctx: {}, onDiff: (_d, version, cursor) => seen.push([version, cursor]) });
    await run((a) => a.insert('t', { id: 'a', room: 'r1' }));
    await run((a) => a.insert('t', { id: 'b', room: 'r1' }));
    expect(seen).toEqual([
      [1, '{"node-a":1}'],
      [2, '{"node-a":2}'],
    ]);
    expect(JSON.parse((await subscribe()).cursor)).toEqual({ 'node-a': 2 });
  });

  it('resumes from a cursor or a bare version with a catch-up: kept rows as changed, the rest as removed, never added', async () => {
    const { run, subscribe } = await resumable();
    await run((a) => a.insert('t', { id: 'gone', room: 'r1' }));
    const { cursor } = await subscribe();
    await run(async (a) => {
      await a.insert('t', { id: 'new', room: 'r1' });
      await a.update('t', { id: 'gone', room: 'r2' });
      await a.insert('t', { id: 'elsewhere', room: 'r9' });
    });
    await run((a) => a.update('t', { id: 'new', n: 5 }));
    const resumed = await subscribe(cursor);
    expect(resumed.initial).toEqual([]);
    expect(resumed.catchup).toEqual({
      added: [],
      changed: [{ id: 'new', room: 'r1', n: 5, rev: 5 }],
      // Log rows the subscription does not keep are still sent, whole, as removed.
      removed: [
        { id: 'gone', room: 'r2', rev: 3 },
        { id: 'elsewhere', room: 'r9', rev: 4 },
      ],
    });
    expect(resumed.version).toBe(3);
    expect((await subscribe(1)).catchup).toEqual(resumed.catchup);
    // A cursor without this engine's entry has seen none of its changes: the whole log.
    expect((await subscribe('{}')).catchup).toEqual((await subscribe(0)).catchup);
    expect(await subscribe(3)).toMatchObject({ initial: [], catchup: { added: [], changed: [], removed: [] } });
  });

  it('falls back to a snapshot for a refetch collection, an unreadable cursor, a peer it never heard from, or a trimmed log', async () => {
    const { run, subscribe } = await resumable(2);
    const { cursor } = await subscribe();
    await run((a) => a.insert('t', { id: 'a', room: 'r1' }));
    const snapshot = [{ id: 'a', room: 'r1', rev: 1 }];
    for (const [since, collection] of [
      [cursor, 'everything'],
      ['not json', 'room'],
      ['7', 'room'],
      ['{"node-b":3}', 'room'],
    ] as const) {
      const reply = await subscribe(since, collection);
      expect(reply.catchup, `${since} on ${collection}`).toBeUndefined();
      expect(reply.initial).toEqual(snapshot);
    }
    await run((a) => a.insert('t', { id: 'b', room: 'r1' }));
    await run((a) => a.insert('t', { id: 'c', room: 'r1' }));
    // Two entries kept: version 1 is gone, so a cursor at 0 cannot be served, one at 1 can.
    expect((await subscribe(cursor)).catchup).toBeUndefined();
    expect((await subscribe('{"node-a":1}')).catchup?.changed.map((row) => row.id)).toEqual(['b', 'c']);
  });

  it('uses a random instance id by default', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const engine = createReferenceEngine();
      engine.register({ name: 'c', hydrate: () => [] });
      ids.add(Object.keys(JSON.parse((await engine.subscribe({ collection: 'c', params: undefined, ctx: {}, onDiff: () => {} })).cursor))[0]!);
    }
    expect(ids.size).toBe(3);
  });
});

describe('AbortSignal', () => {
  it('rejects an already-aborted subscribe or hydrate with AbortError before authorize', async () => {
    const engine = createReferenceEngine();
    const authorize = vi.fn(() => true);
    engine.register({ name: 'c', hydrate: () => [], authorize });
    const controller = new AbortController();
    controller.abort(new Error('page closed'));
    const subscribing = engine.subscribe({ collection: 'c', params: undefined, ctx: {}, onDiff: () => {}, signal: controller.signal });
    await expect(subscribing).rejects.toBeInstanceOf(AbortError);
    await expect(subscribing).rejects.toMatchObject({ name: 'AbortError', message: 'page closed' });
    await expect(engine.hydrate('c', undefined, {}, { signal: AbortSignal.abort('gone') })).rejects.toThrow(new AbortError('gone'));
    await expect(engine.hydrate('c', undefined, {}, { signal: AbortSignal.abort(42) })).rejects.toThrow(new AbortError(undefined));
    expect(new AbortError(42).message).toBe('Aborted');
    expect(authorize).not.toHaveBeenCalled();
  });

  it('unsubscribes when the signal fires after the subscription is live', async () => {
    const { engine, run } = setup();
    const controller = new AbortController();
    const diffs: unknown[] = [];
    await engine.subscribe<Row, { room: string }>({ collection: 'room', params: { room: 'r1' }, ctx: {}, onDiff: recordInto(diffs), signal: controller.signal });
    expect(engine.subscriptionCount('room')).toBe(1);
    controller.abort();
    expect(engine.subscriptionCount('room')).toBe(0);
    await run((a) => a.insert('t', { id: 'a', room: 'r1' }));
    expect(diffs).toEqual([]);
  });

  it('rejects when the signal fires during setup, yet leaves the subscription live, as the engine does (W20)', async () => {
    const engine = createReferenceEngine();
    const controller = new AbortController();
    engine.register({
      name: 'c',
      hydrate: () => {
        controller.abort();
        return [];
      },
    });
    await expect(engine.subscribe({ collection: 'c', params: undefined, ctx: {}, onDiff: () => {}, signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
    expect(engine.subscriptionCount('c')).toBe(1);
  });

  it('checks a hydrate signal after authorize and after hydrate', async () => {
    const engine = createReferenceEngine();
    const controller = new AbortController();
    engine.register({ name: 'denied', hydrate: () => [], authorize: () => (controller.abort(), false) });
    await expect(engine.hydrate('denied', undefined, {}, { signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
    const late = new AbortController();
    engine.register({ name: 'slow', hydrate: () => (late.abort(), [{ id: 'a' }]) });
    await expect(engine.hydrate('slow', undefined, {}, { signal: late.signal })).rejects.toBeInstanceOf(AbortError);
    expect(await engine.hydrate('slow', undefined, {}, { signal: new AbortController().signal })).toEqual([{ id: 'a' }]);
  });

  it('denies a one-shot hydrate with its own message', async () => {
    const engine = createReferenceEngine();
    engine.register({ name: 'c', hydrate: () => [], authorize: () => false });
    await expect(engine.hydrate('c', undefined, {})).rejects.toThrow(new UnauthorizedError('hydrate collection "c"'));
    await expect(engine.hydrate('c', undefined, {})).rejects.toThrow('Not authorized: hydrate collection "c"');
  });
});
