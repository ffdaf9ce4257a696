/**
 * Views converge across nodes when the cluster bus loses messages: the view
 * index, the machine's heal decision and the cleanup run that applies it, on
 * two reference engines sharing one store.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { PresenceError } from '../src/errors.js';
import { cloneJson, sameJson } from '../src/json.js';
import { healOf } from '../src/machine.js';
import { createPresencePack } from '../src/pack.js';
import type { JsonValue, PresenceRow } from '../src/row.js';
import type { PresenceStore } from '../src/store.js';
import { createMemoryPresenceStore } from '../src/stores/memory.js';
import { createViewIndex } from '../src/view-index.js';
import { createInMemoryClusterBus, createReferenceEngine, type ClusterBus, type ReferenceEngine } from '../spec/engine.js';
import { createManualClock } from '../spec/harness.js';

const TTL_MS = 30_000;

const row = (actorId: string, extra: Partial<PresenceRow> = {}): PresenceRow => ({
  id: JSON.stringify(['', 'room', actorId, '']),
  scope: '',
  channel: 'room',
  actorId,
  sessionId: '',
  state: {},
  expiresAt: 10,
  heartbeatAt: 0,
  ...extra,
});

/** A bus that delivers, or drops everything while `dropping` is set; `settle` waits for what it delivered. */
function switchableBus() {
  const inner = createInMemoryClusterBus();
  const deliveries: Promise<unknown>[] = [];
  const state = { dropping: false };
  const bus: ClusterBus = {
    publish: (message) => (state.dropping ? undefined : inner.publish(message)),
    subscribe: (onMessage) => inner.subscribe((message) => void deliveries.push(Promise.resolve(onMessage(message) as unknown))),
  };
  return {
    bus,
    state,
    settle: async () => {
      while (deliveries.length > 0) await deliveries.shift();
    },
  };
}

/** Two nodes with their own pack instance on one store and one switchable bus; `view(node)` follows channel `room` as bob. */
async function twoNodes(store: PresenceStore = createMemoryPresenceStore()) {
  const clock = createManualClock(0);
  const wire = switchableBus();
  const nodes = await Promise.all(
    ['a', 'b'].map(async (instanceId) => {
      const engine = createReferenceEngine({ instanceId, now: clock.now, sleep: async () => {} });
      engine.registerPack(createPresencePack({ store, now: clock.now, heartbeatTtlSec: TTL_MS / 1000 }));
      await engine.connectCluster(wire.bus);
      return engine;
    }),
  );
  const view = async (engine: ReferenceEngine) => {
    const held = new Map<string, PresenceRow>();
    const sub = await engine.subscribe<PresenceRow, { channel: string }>({
      collection: 'presence',
      params: { channel: 'room' },
      ctx: { userId: 'bob' },
      onDiff: (diff) => {
        for (const gone of diff.removed) held.delete(gone.id);
        for (const kept of [...diff.added, ...diff.changed]) held.set(kept.id, kept);
      },
    });
    for (const kept of sub.initial) held.set(kept.id, kept);
    return () => [...held.values()].sort((x, y) => (x.id < y.id ? -1 : 1));
  };
  const as = (engine: ReferenceEngine, userId: string) => ({
    heartbeat: (extra: Record<string, unknown> = {}) => engine.runMutation('presence:heartbeat', { channel: 'room', ...extra }, { userId }),
    leave: () => engine.runMutation('presence:leave', { channel: 'room' }, { userId }),
  });
  const live = async () => (await store.channel('', 'room', clock.now())).sort((x, y) => (x.id < y.id ? -1 : 1));
  return { a: nodes[0]!, b: nodes[1]!, clock, wire, view, as, live, store };
}

describe('convergence when the bus drops messages', () => {
  it("removes a leave B never heard of from B's views at B's next cleanup", async () => {
    const { a, b, wire, view, as, live } = await twoNodes();
    await as(a, 'ada').heartbeat();
    await wire.settle();
    const onB = await view(b);
    expect(onB().map((r) => r.actorId)).toEqual(['ada']);
    wire.state.dropping = true;
    await as(a, 'ada').leave();
    expect(onB().map((r) => r.actorId)).toEqual(['ada']);
    await b.runSchedule('presence:cleanup');
    expect(onB()).toEqual(await live());
    expect(onB()).toEqual([]);
  });

  it("removes a row another node swept from B's views, once its lease has ended", async () => {
    const { a, b, clock, wire, view, as } = await twoNodes();
    await as(a, 'ada').heartbeat();
    const onB = await view(b);
    wire.state.dropping = true;
    clock.advance(TTL_MS);
    await a.runSchedule('presence:cleanup');
    expect(onB().map((r) => r.actorId)).toEqual(['ada']);
    await b.runSchedule('presence:cleanup');
    expect(onB()).toEqual([]);
  });

  it("heals a renewal and a join B missed, with the store's rows", async () => {
    const { a, b, clock, wire, view, as, live } = await twoNodes();
    await as(a, 'ada').heartbeat({ state: { v: 1 } });
    const onB = await view(b);
    wire.state.dropping = true;
    clock.advance(TTL_MS / 2);
    await as(a, 'ada').heartbeat({ state: { v: 2 } });
    await as(a, 'cy').heartbeat();
    expect(onB().map((r) => r.state)).toEqual([{ v: 1 }]);
    await b.runSchedule('presence:cleanup');
    expect(onB()).toEqual(await live());
    expect(onB().map((r) => r.actorId)).toEqual(['ada', 'cy']);
  });

  it('heals a rejoin in the same millisecond that B missed, after B heard the leave', async () => {
    // The rejoin is the same version as the row B's views held before the leave.
    const { a, b, wire, view, as, live } = await twoNodes();
    const onB = await view(b);
    await as(a, 'ada').heartbeat();
    await as(a, 'ada').leave();
    await wire.settle();
    expect(onB()).toEqual([]);
    wire.state.dropping = true;
    await as(a, 'ada').heartbeat();
    await b.runSchedule('presence:cleanup');
    expect(onB()).toEqual(await live());
    expect(onB().map((r) => r.actorId)).toEqual(['ada']);
  });

  it("announces a leave as the row's tombstone, then its delete, in one batch", async () => {
    const { a, as } = await twoNodes();
    await as(a, 'ada').heartbeat();
    const before = a.inspect().version;
    await as(a, 'ada').leave();
    expect(a.inspect().version).toBe(before + 1);
    expect(a.inspect().recentChanges.filter((change) => change.version === before + 1).map((change) => change.op)).toEqual(['update', 'delete']);
  });

  it('sends nothing when every message arrived, and nothing for a leave this node committed', async () => {
    const { a, b, wire, view, as } = await twoNodes();
    await view(a);
    await view(b);
    await as(a, 'ada').heartbeat();
    await as(b, 'cy').heartbeat();
    await as(a, 'ada').leave();
    await wire.settle();
    const before = a.inspect().version;
    await a.runSchedule('presence:cleanup');
    expect(a.inspect().version).toBe(before);
    // B heard the leave: its tombstone went through B's match, so B's index knows ada is gone too.
    const onB = await view(b);
    const heard = b.inspect().version;
    await b.runSchedule('presence:cleanup');
    expect(b.inspect().version).toBe(heard);
    expect(onB().map((r) => r.actorId)).toEqual(['cy']);
  });

  it('retries a reconciliation that found the store unavailable, and still heals', async () => {
    const inner = createMemoryPresenceStore();
    let failures = 0;
    const flaky: PresenceStore = {
      ...inner,
      get: (id) => inner.get(id),
      upsert: (r) => inner.upsert(r),
      admit: (r, limits) => inner.admit(r, limits),
      update: (r) => inner.update(r),
      remove: (id) => inner.remove(id),
      rows: () => inner.rows(),
      sweep: (now, limit) => inner.sweep(now, limit),
      channel: (scope, channel, now) => {
        if (failures > 0) {
          failures -= 1;
          throw new PresenceError('STORE_UNAVAILABLE', 'injected: channel failed');
        }
        return inner.channel(scope, channel, now);
      },
    };
    const { a, b, wire, view, as } = await twoNodes(flaky);
    await as(a, 'ada').heartbeat();
    const onB = await view(b);
    wire.state.dropping = true;
    await as(a, 'ada').leave();
    failures = 2;
    await b.runSchedule('presence:cleanup');
    expect(failures).toBe(0);
    expect(onB()).toEqual([]);
  });
});

describe('the view index', () => {
  it('forgets the least recently named channel beyond its capacity, with its rows', () => {
    const index = createViewIndex(2);
    index.hold(row('ada'));
    index.watch('', 'other');
    index.watch('', 'room');
    index.watch('s', 'third');
    expect(index.watched().map((w) => [w.scope, w.channel, [...w.maybe.keys()].length])).toEqual([
      ['', 'room', 1],
      ['s', 'third', 0],
    ]);
  });

  it('settles a watched channel to the rows given, ignores an unwatched one, and hands out snapshots', () => {
    const index = createViewIndex(4);
    index.hold(row('ada'));
    const before = index.watched()[0]!;
    index.settle('', 'room', [row('cy')]);
    index.settle('', 'nowhere', [row('zed')]);
    expect([...before.maybe.values()].map((r) => r.actorId)).toEqual(['ada']);
    expect(index.watched().map((w) => [[...w.maybe.keys()], [...w.sure.keys()]].map((ids) => ids.map((id) => JSON.parse(id)[2])))).toEqual([[['cy'], ['cy']]]);
    index.forget(row('cy'));
    index.forget(row('zed', { channel: 'nowhere' }));
    expect(index.watched().map((w) => w.maybe.size + w.sure.size)).toEqual([0]);
  });

  it('is sure of a row only while every view of its channel holds that version: a later hydrate keeps only what it agrees on', () => {
    const index = createViewIndex(4);
    index.hydrated('', 'room', [row('ada'), row('bob')]);
    index.hydrated('', 'room', [row('ada', { expiresAt: 20 }), row('bob'), row('cy')]);
    const [watched] = index.watched();
    expect([...watched!.maybe.values()].map((r) => [r.actorId, r.expiresAt])).toEqual([['ada', 20], ['bob', 10], ['cy', 10]]);
    expect([...watched!.sure.values()].map((r) => r.actorId)).toEqual(['bob']);
    index.hold(row('cy'));
    expect([...index.watched()[0]!.sure.keys()].length).toBe(2);
  });
});

const actorArb = fc.constantFrom('ada', 'bob', 'cy', 'dee');
const versionArb = fc.record({ expiresAt: fc.integer({ min: 1, max: 3 }), heartbeatAt: fc.integer({ min: 0, max: 2 }), state: fc.constantFrom<PresenceRow['state']>({}, { v: 1 }, { v: 2 }) });
const rowsArb = fc.uniqueArray(fc.tuple(actorArb, versionArb), { selector: ([actor]) => actor }).map((pairs) => pairs.map(([actor, version]) => row(actor, version)));

describe('the heal decision, as properties', () => {
  test.prop([fc.array(rowsArb, { minLength: 1, maxLength: 3 }), rowsArb])(
    'applying the heal to every view, each holding rows of its own, gives exactly the live rows, and rows every view holds right are not sent',
    (views, live) => {
      // What the index knows of these views: any row any holds, and the rows all hold alike.
      const maybe = new Map(views.flat().map((r) => [r.id, r]));
      const same = (left: PresenceRow, right: PresenceRow) => left.expiresAt === right.expiresAt && left.heartbeatAt === right.heartbeatAt && sameJson(left.state, right.state);
      const sure = new Map(views[0]!.filter((r) => views.every((view) => view.some((other) => other.id === r.id && same(other, r)))).map((r) => [r.id, r]));
      const heal = healOf(maybe, sure, live);
      for (const view of views) {
        const after = new Map(view.map((r) => [r.id, r]));
        for (const gone of heal.removed) after.delete(gone.id);
        for (const fresh of heal.refreshed) after.set(fresh.id, fresh);
        expect([...after.values()].sort((x, y) => (x.id < y.id ? -1 : 1))).toEqual([...live].sort((x, y) => (x.id < y.id ? -1 : 1)));
      }
      for (const fresh of heal.refreshed) expect(sure.has(fresh.id) && same(sure.get(fresh.id)!, fresh)).toBe(false);
    },
  );

  /** JSON text with object keys sorted, so equal values print alike. */
  const canonical = (value: JsonValue): string =>
    JSON.stringify(value, (_key, item: unknown) =>
      item !== null && typeof item === 'object' && !Array.isArray(item) ? Object.fromEntries(Object.entries(item).sort(([x], [y]) => (x < y ? -1 : 1))) : item,
    );
  const json = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<JsonValue>;

  test.prop([json, json])('sameJson is equality of values, whatever the key order', (left, right) => {
    expect(sameJson(left, right)).toBe(canonical(left) === canonical(right));
    expect(sameJson(left, cloneJson(left))).toBe(true);
    if (left !== null && typeof left === 'object' && !Array.isArray(left)) {
      const reversed = Object.fromEntries(Object.entries(left).reverse()) as JsonValue;
      expect(sameJson(left, reversed)).toBe(true);
    }
  });
});
