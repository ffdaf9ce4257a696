import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { CollectionContext, MutationActions, SyncPack, TableReader, TableWriter } from '../src/contract.js';
import {
  createInMemoryClusterBus,
  createReferenceEngine,
  type ClusterBus,
  type ClusterMessage,
  type ReferenceEngine,
  type ViewDiff,
} from '../spec/engine.js';

type Row = { id: string; room: string; n?: number };
type Script = (actions: MutationActions) => Promise<unknown>;

/** One table shared by every node, as a shared store is. */
function sharedTable() {
  const rows = new Map<string, Row>();
  const reader: TableReader<Row, unknown> = { all: () => [...rows.values()], get: (key) => rows.get(String(key)) };
  const put = (data: Row) => {
    const row = { ...rows.get(data.id), ...data };
    rows.set(row.id, row);
    return row;
  };
  const writer: TableWriter<Row, unknown, unknown> = { insert: put, update: put, delete: (value) => void rows.delete(value.id) };
  return { rows, reader, writer };
}

/** A pack over `table`: an incremental collection `room`, a script mutation `run`, a schedule `sweep` deleting room `gone`. */
function packOver(table: ReturnType<typeof sharedTable>): SyncPack {
  return {
    name: 'p',
    version: '1',
    ownsTables: ['t'],
    readers: { t: table.reader },
    writers: { t: table.writer },
    collections: [
      {
        name: 'room',
        tables: ['t'],
        hydrate: (params: { room: string }) => [...table.rows.values()].filter((row) => row.room === params.room),
        match: (row: Row, params: { room: string }) => row.room === params.room,
      },
    ],
    mutations: [{ name: 'run', handler: (script: Script, _ctx: CollectionContext, actions: MutationActions) => script(actions) }],
    schedules: [
      {
        name: 'sweep',
        pattern: '* * * * *',
        run: async ({ db, actions }) => {
          for (const row of await db.where<Row>('t', (r) => r.room === 'gone')) await actions.delete('t', row);
        },
      },
    ],
  };
}

/**
 * A lossless in-memory bus that records what is published and lets a test
 * wait until every delivery has been applied (the engine returns a promise
 * from its listener for exactly this).
 */
function recordingBus() {
  const inner = createInMemoryClusterBus();
  const sent: ClusterMessage[] = [];
  const deliveries: Promise<unknown>[] = [];
  const bus: ClusterBus = {
    publish(message) {
      sent.push(message);
      return inner.publish(message);
    },
    subscribe: (onMessage) => inner.subscribe((message) => void deliveries.push(Promise.resolve(onMessage(message) as unknown))),
  };
  const settle = async () => {
    while (deliveries.length > 0) await deliveries.shift();
  };
  return { bus, sent, settle };
}

/** A view a subscriber holds, kept by applying its diffs. */
function follow(engine: ReferenceEngine, room = 'r1') {
  const view = new Map<string, Row>();
  const diffs: { diff: ViewDiff<Row>; version: number; cursor: string | undefined }[] = [];
  const subscribed = engine.subscribe<Row, { room: string }>({
    collection: 'room',
    params: { room },
    ctx: {},
    onDiff: (diff, version, cursor) => {
      diffs.push({ diff, version, cursor });
      for (const row of diff.removed) view.delete(row.id);
      for (const row of [...diff.added, ...diff.changed]) view.set(row.id, row);
    },
  });
  return { view, diffs, subscribed };
}

/** Nodes `a`, `b` (and more) on one shared table, each connected to one recording bus. */
async function cluster(ids: string[] = ['a', 'b']) {
  const table = sharedTable();
  const recording = recordingBus();
  const nodes = ids.map((instanceId) => {
    const engine = createReferenceEngine({ instanceId, now: () => 0 });
    engine.registerPack(packOver(table));
    return engine;
  });
  const disconnects = await Promise.all(nodes.map((node) => node.connectCluster(recording.bus)));
  const run = (node: ReferenceEngine, script: Script) => node.runMutation('run', script, {});
  return { table, nodes, disconnects, run, ...recording };
}

describe('the cluster seam (connectCluster)', () => {
  it('exposes the instanceId it was given, or a fresh one per engine', () => {
    expect(createReferenceEngine({ instanceId: 'node-7' }).instanceId).toBe('node-7');
    const ids = new Set([createReferenceEngine().instanceId, createReferenceEngine().instanceId]);
    expect(ids.size).toBe(2);
  });

  it("delivers A's mutation to B's subscriber as B's own commit, with a cursor carrying A's version", async () => {
    const { nodes, run, settle } = await cluster();
    const [a, b] = nodes as [ReferenceEngine, ReferenceEngine];
    const onB = follow(b);
    await onB.subscribed;
    await run(a, (actions) => actions.insert('t', { id: 'x', room: 'r1' }));
    await settle();
    expect(onB.diffs).toEqual([{ diff: { added: [{ id: 'x', room: 'r1' }], changed: [], removed: [] }, version: 1, cursor: '{"b":1,"a":1}' }]);
    expect(b.inspect().recentChanges).toEqual([{ version: 1, table: 't', op: 'insert' }]);
  });

  it('publishes each local batch once, tagged with its origin and increasing local versions, and never re-publishes a peer batch', async () => {
    const { nodes, run, sent, settle } = await cluster(['a', 'b', 'c']);
    const [a, b] = nodes as [ReferenceEngine, ReferenceEngine];
    await run(a, async (actions) => {
      await actions.insert('t', { id: 'x', room: 'r1' });
      await actions.insert('t', { id: 'y', room: 'r1' });
    });
    await run(b, (actions) => actions.update('t', { id: 'x', room: 'r1', n: 1 }));
    await run(a, (actions) => actions.delete('t', { id: 'y' }));
    await settle();
    expect(sent.map(({ origin, originVersion, changes }) => [origin, originVersion, changes.map((c) => c.change.op)])).toEqual([
      ['a', 1, ['insert', 'insert']],
      ['b', 2, ['update']],
      ['a', 3, ['delete']],
    ]);
    // Every node committed all three batches: its own and the peers'.
    expect(nodes.map((node) => node.inspect().version)).toEqual([3, 3, 3]);
  });

  it('ignores a message carrying its own origin', async () => {
    const { nodes, bus, settle } = await cluster();
    const b = nodes[1]!;
    const onB = follow(b);
    await onB.subscribed;
    await bus.publish({ origin: 'b', originVersion: 9, changes: [{ table: 't', change: { op: 'insert', row: { id: 'echo', room: 'r1' } } }] });
    await settle();
    expect(onB.diffs).toEqual([]);
    expect(b.inspect().version).toBe(0);
  });

  it('stops both directions on disconnect, and a second disconnect is harmless', async () => {
    const { nodes, disconnects, run, sent, settle } = await cluster();
    const [a, b] = nodes as [ReferenceEngine, ReferenceEngine];
    const onA = follow(a);
    const onB = follow(b);
    await Promise.all([onA.subscribed, onB.subscribed]);
    await disconnects[0]!();
    await run(a, (actions) => actions.insert('t', { id: 'from-a', room: 'r1' }));
    await run(b, (actions) => actions.insert('t', { id: 'from-b', room: 'r1' }));
    await settle();
    expect(sent.map((message) => message.origin)).toEqual(['b']);
    expect([...onA.view.keys()]).toEqual(['from-a']);
    expect([...onB.view.keys()]).toEqual(['from-b']);
    await disconnects[0]!();
  });

  it('publishes what schedules and applyChange commit', async () => {
    const { nodes, table, sent, settle } = await cluster();
    const [a, b] = nodes as [ReferenceEngine, ReferenceEngine];
    table.rows.set('old', { id: 'old', room: 'gone' });
    const onB = follow(b, 'gone');
    await onB.subscribed;
    await a.runSchedule('sweep');
    await a.applyChange('t', { op: 'insert', row: { id: 'cdc', room: 'gone' } });
    await settle();
    expect(sent).toEqual([
      { origin: 'a', originVersion: 1, changes: [{ table: 't', change: { op: 'delete', row: { id: 'old', room: 'gone' } } }] },
      { origin: 'a', originVersion: 2, changes: [{ table: 't', change: { op: 'insert', row: { id: 'cdc', room: 'gone' } } }] },
    ]);
    expect([...onB.view.keys()]).toEqual(['cdc']);
  });

  it('commits and fans out locally even when the bus throws or rejects on publish', async () => {
    for (const publish of [
      () => {
        throw new Error('bus down');
      },
      () => Promise.reject(new Error('bus down')),
    ]) {
      const table = sharedTable();
      const a = createReferenceEngine({ instanceId: 'a' });
      a.registerPack(packOver(table));
      await a.connectCluster({ publish, subscribe: () => () => {} });
      const onA = follow(a);
      await onA.subscribed;
      await expect(a.runMutation('run', ((actions) => actions.insert('t', { id: 'x', room: 'r1' })) satisfies Script, {})).resolves.toEqual({ id: 'x', room: 'r1' });
      expect([...onA.view.keys()]).toEqual(['x']);
    }
  });

  it('does not publish a batch whose fan-out failed (the commit rejects, as W5)', async () => {
    const { nodes, run, sent } = await cluster();
    const a = nodes[0]!;
    await a.subscribe({ collection: 'room', params: { room: 'r1' }, ctx: {}, onDiff: () => {
      throw new Error('subscriber broke');
    } });
    await expect(run(a, (actions) => actions.insert('t', { id: 'x', room: 'r1' }))).rejects.toThrow('subscriber broke');
    expect(sent).toEqual([]);
  });

  it("logs a peer batch without originVersion as version 0, and a bus's async subscribe and stop are awaited", async () => {
    const inner = createInMemoryClusterBus();
    let stopped = false;
    const bus: ClusterBus = {
      publish: (message) => inner.publish(message),
      subscribe: async (onMessage) => {
        const stop = await inner.subscribe(onMessage);
        return async () => {
          await stop();
          stopped = true;
        };
      },
    };
    const b = createReferenceEngine({ instanceId: 'b' });
    b.registerPack(packOver(sharedTable()));
    const disconnect = await b.connectCluster(bus);
    const onB = follow(b);
    await onB.subscribed;
    await inner.publish({ origin: 'legacy', changes: [{ table: 't', change: { op: 'insert', row: { id: 'x', room: 'r1' } } }] });
    await Promise.resolve();
    expect(onB.diffs.map((d) => d.cursor)).toEqual(['{"b":1,"legacy":0}']);
    await disconnect();
    expect(stopped).toBe(true);
  });

  it("resumes on B from a cursor A gave, catching up on A's and B's changes since; an unseen peer or a trimmed log gives a snapshot", async () => {
    const { nodes, run, settle } = await cluster();
    const [a, b] = nodes as [ReferenceEngine, ReferenceEngine];
    await run(a, (actions) => actions.insert('t', { id: 'early', room: 'r1' }));
    await settle();
    const { cursor } = await a.subscribe({ collection: 'room', params: { room: 'r1' }, ctx: {}, onDiff: () => {} });
    expect(JSON.parse(cursor)).toEqual({ a: 1 });
    await run(a, (actions) => actions.insert('t', { id: 'late-a', room: 'r1' }));
    await run(b, (actions) => actions.update('t', { id: 'early', room: 'r2' }));
    await settle();
    const resumed = await b.subscribe({ collection: 'room', params: { room: 'r1' }, ctx: {}, onDiff: () => {}, since: cursor });
    expect(resumed.initial).toEqual([]);
    expect(resumed.catchup).toEqual({ added: [], changed: [{ id: 'late-a', room: 'r1' }], removed: [{ id: 'early', room: 'r2' }] });
    // A cursor that saw changes of a peer B never heard of cannot be served.
    const stranger = await b.subscribe({ collection: 'room', params: { room: 'r1' }, ctx: {}, onDiff: () => {}, since: '{"z":4}' });
    expect(stranger.catchup).toBeUndefined();
    // B's log trimmed past the peer's seen version: snapshot.
    const small = createReferenceEngine({ instanceId: 'c', changeLogSize: 1 });
    small.registerPack(packOver(sharedTable()));
    const recording = recordingBus();
    await small.connectCluster(recording.bus);
    for (const originVersion of [1, 2, 3]) {
      await recording.bus.publish({ origin: 'a', originVersion, changes: [{ table: 't', change: { op: 'insert', row: { id: `r${originVersion}`, room: 'r1' } } }] });
    }
    await recording.settle();
    const trimmed = await small.subscribe({ collection: 'room', params: { room: 'r1' }, ctx: {}, onDiff: () => {}, since: '{"a":1}' });
    expect(trimmed.catchup).toBeUndefined();
    const covered = await small.subscribe({ collection: 'room', params: { room: 'r1' }, ctx: {}, onDiff: () => {}, since: '{"a":2}' });
    expect(covered.catchup).toEqual({ added: [], changed: [{ id: 'r3', room: 'r1' }], removed: [] });
  });
});

type Op = { node: number; kind: 'put'; id: string; room: string } | { node: number; kind: 'delete'; id: string };
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ node: fc.nat(2), kind: fc.constant('put' as const), id: fc.constantFrom('p', 'q', 'r'), room: fc.constantFrom('r1', 'r2') }),
  fc.record({ node: fc.nat(2), kind: fc.constant('delete' as const), id: fc.constantFrom('p', 'q', 'r') }),
);

describe('the cluster seam, as a property', () => {
  test.prop([fc.array(op, { maxLength: 12 }), fc.nat(2), fc.nat(2)], { numRuns: 60 })(
    'over a lossless bus, every node\'s view equals the shared table, and a cursor from one node, on any other, yields that view',
    async (ops, from, to) => {
      const { nodes, table, run, settle } = await cluster(['a', 'b', 'c']);
      const views = nodes.map((node) => follow(node));
      await Promise.all(views.map((v) => v.subscribed));
      const cursor = (await nodes[from]!.subscribe({ collection: 'room', params: { room: 'r1' }, ctx: {}, onDiff: () => {} })).cursor;
      const resumedView = new Map([...table.rows.values()].filter((row) => row.room === 'r1').map((row) => [row.id, row]));
      for (const step of ops) {
        const node = nodes[step.node]!;
        await run(node, (actions) => (step.kind === 'put' ? actions.insert('t', { id: step.id, room: step.room }) : actions.delete('t', { id: step.id })));
      }
      await settle();
      const expected = [...table.rows.values()].filter((row) => row.room === 'r1').sort((x, y) => x.id.localeCompare(y.id));
      for (const { view } of views) expect([...view.values()].sort((x, y) => x.id.localeCompare(y.id))).toEqual(expected);
      const resumed = await nodes[to]!.subscribe<Row, { room: string }>({ collection: 'room', params: { room: 'r1' }, ctx: {}, onDiff: () => {}, since: cursor });
      // As in the engine, a peer's versions that count relayed batches leave gaps in its logged
      // originVersions, so the node may fall back to a snapshot; either way the client ends up right.
      if (resumed.catchup === undefined) {
        resumedView.clear();
        for (const row of resumed.initial) resumedView.set(row.id, row);
      } else {
        for (const row of resumed.catchup.removed) resumedView.delete(row.id);
        for (const row of resumed.catchup.changed) resumedView.set(row.id, row);
      }
      expect([...resumedView.values()].sort((x, y) => x.id.localeCompare(y.id))).toEqual(expected);
      // With no commits at all since the cursor, every node serves the catch-up.
      if (ops.length === 0) expect(resumed.catchup).toEqual({ added: [], changed: [], removed: [] });
    },
  );
});
