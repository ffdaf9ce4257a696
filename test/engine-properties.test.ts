import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import type { MutationActions, TableReader, TableWriter } from '../src/contract.js';
import { createReferenceEngine, type ViewDiff } from '../spec/engine.js';

type Row = { id: string; room: string; n: number; rev?: number };
type Op =
  | { kind: 'insert' | 'update'; id: string; room: string; n: number }
  | { kind: 'delete'; id: string }
  | { kind: 'change-delete'; id: string };

const ids = fc.constantFrom('a', 'b', 'c', 'd');
const rooms = fc.constantFrom('r1', 'r2');
const small = fc.integer({ min: 0, max: 3 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom('insert' as const, 'update' as const), id: ids, room: rooms, n: small }),
  fc.record({ kind: fc.constant('delete' as const), id: ids }),
  fc.record({ kind: fc.constant('change-delete' as const), id: ids }),
);
const batches = fc.array(fc.array(op, { maxLength: 6 }), { maxLength: 8 });
const initialRows = fc.uniqueArray(fc.record({ id: ids, room: rooms, n: small }), { selector: (row) => row.id });

/** Subscriber view under test: ctx hides rows with n = 0, the collection shows room r1. */
const visible = (row: Row) => row.room === 'r1' && row.n !== 0;
const ctx = { hidden: 0 };

/**
 * Builds an engine over an upserting in-memory table with an incremental
 * collection (`inc`) and a refetch collection (`ref`) of the same rows.
 */
function setup(initial: Row[]) {
  const rows = new Map(initial.map((row) => [row.id, row]));
  let rev = 0;
  const reader: TableReader<Row, unknown> = { all: () => [...rows.values()], get: (key) => rows.get(String(key)) };
  const upsert = (data: Row) => {
    const row = { ...data, rev: ++rev };
    rows.set(row.id, row);
    return row;
  };
  const writer: TableWriter<Row, unknown, unknown> = { insert: upsert, update: upsert, delete: (value) => void rows.delete(value.id) };
  const engine = createReferenceEngine({ now: () => 0 });
  const hydrate = (params: { room: string }) => [...rows.values()].filter((row) => row.room === params.room);
  engine.registerPack({
    name: 'prop',
    version: '1',
    ownsTables: ['t'],
    readers: { t: reader },
    writers: { t: writer },
    permissions: { t: { read: (c: typeof ctx, row: Row) => row.n !== c.hidden } },
    collections: [
      {
        name: 'inc',
        tables: ['t'],
        hydrate,
        // n = 3 makes match throw, so the re-hydrate fallback mixes with incremental diffs in one batch.
        match: (row: Row, params: { room: string }) => {
          if (row.n === 3) throw new Error('match failed');
          return row.room === params.room;
        },
      },
      { name: 'ref', tables: ['t'], hydrate },
      { name: 'steady', tables: ['t'], hydrate, match: (row: Row, params: { room: string }) => row.room === params.room },
    ],
    mutations: [
      {
        name: 'batch',
        handler: async (ops: Op[], _ctx: unknown, actions: MutationActions) => {
          for (const o of ops) {
            if (o.kind === 'insert') await actions.insert('t', { id: o.id, room: o.room, n: o.n });
            else if (o.kind === 'update') await actions.update('t', { id: o.id, room: o.room, n: o.n });
            else if (o.kind === 'delete') await actions.delete('t', { id: o.id });
            else {
              // Deleting behind the writer and announcing it: the key-only payload is all the view gets.
              rows.delete(o.id);
              await actions.change('t', { op: 'delete', row: { id: o.id } });
            }
          }
        },
      },
    ],
  });
  return { engine, rows };
}

/** A client applying diffs strictly: added must be new, changed and removed must be held. */
function client(initial: Row[]) {
  const view = new Map(initial.map((row) => [row.id, row]));
  const apply = (diff: ViewDiff<Row>) => {
    const keys = [...diff.added, ...diff.changed, ...diff.removed].map((row) => row.id);
    expect(new Set(keys).size, 'a key appears once per netted diff').toBe(keys.length);
    for (const row of diff.removed) {
      // Within one batch an update then a delete nets to `removed` carrying the updated row, so only the key is checked.
      expect(view.has(row.id), 'removed refers to a held row').toBe(true);
      view.delete(row.id);
    }
    for (const row of diff.changed) {
      expect(view.has(row.id), 'changed refers to a held row').toBe(true);
      view.set(row.id, row);
    }
    for (const row of diff.added) {
      expect(view.has(row.id), 'added is new to the view').toBe(false);
      view.set(row.id, row);
    }
  };
  return { view, apply };
}

describe('subscriber views converge on the visible table', () => {
  test.prop([initialRows, batches], { numRuns: 150 })(
    'after every batch, incremental and refetch views equal the rows the subscriber may see',
    async (initial, ops) => {
      const { engine, rows } = setup(initial);
      const views = [];
      for (const collection of ['inc', 'ref']) {
        let apply: (diff: ViewDiff<Row>) => void = () => {};
        const versions: number[] = [];
        const sub = await engine.subscribe<Row, { room: string }>({
          collection,
          params: { room: 'r1' },
          ctx,
          onDiff: (diff, version) => {
            versions.push(version);
            apply(diff);
          },
        });
        const c = client(sub.initial);
        apply = c.apply;
        views.push({ collection, view: c.view, versions });
      }
      for (const [index, batch] of ops.entries()) {
        await engine.runMutation('batch', batch, {});
        const expected = [...rows.values()].filter(visible).sort((x, y) => x.id.localeCompare(y.id));
        for (const { collection, view, versions } of views) {
          const actual = [...view.values()].sort((x, y) => x.id.localeCompare(y.id));
          expect(actual, `${collection} after batch ${index}`).toEqual(expected);
          expect(versions.every((v) => v <= index + 1)).toBe(true);
        }
      }
      // Each batch is one version, strictly increasing per subscriber.
      for (const { versions } of views) expect(versions).toEqual([...new Set(versions)].sort((x, y) => x - y));
    },
  );

  test.prop([initialRows, fc.array(op, { maxLength: 10 })], { numRuns: 150 })(
    'a batch produces the same visible state for incremental and refetch subscribers, in one diff each',
    async (initial, batch) => {
      const { engine } = setup(initial);
      const diffs: Record<string, ViewDiff<Row>[]> = { inc: [], ref: [] };
      for (const collection of ['inc', 'ref'] as const) {
        await engine.subscribe<Row, { room: string }>({ collection, params: { room: 'r1' }, ctx, onDiff: (d) => diffs[collection]?.push(d) });
      }
      await engine.runMutation('batch', batch, {});
      expect(diffs.inc!.length).toBeLessThanOrEqual(1);
      expect(diffs.ref!.length).toBeLessThanOrEqual(1);
      const ids = (d: ViewDiff<Row> | undefined, part: 'added' | 'removed') => (d ? d[part].map((r) => r.id).sort() : []);
      // Refetch may drop an unchanged row from `changed`, but membership changes must agree.
      expect(ids(diffs.inc![0], 'added')).toEqual(ids(diffs.ref![0], 'added'));
      expect(ids(diffs.inc![0], 'removed')).toEqual(ids(diffs.ref![0], 'removed'));
    },
  );

  test.prop([initialRows, batches, fc.nat()], { numRuns: 150 })(
    'a subscriber resuming from any cursor it was given, applying the catch-up, holds what a fresh subscriber holds',
    async (initial, ops, pick) => {
      const { engine } = setup(initial);
      const view = new Map<string, Row>();
      const upsert = (rows: Row[]) => rows.forEach((row) => view.set(row.id, row));
      const remove = (rows: Row[]) => rows.forEach((row) => view.delete(row.id));
      // Cursor i is the state after batch i; the view is snapshotted at the one picked.
      const cursors: { cursor: string; held: Map<string, Row> }[] = [];
      const sub = await engine.subscribe<Row, { room: string }>({
        collection: 'steady',
        params: { room: 'r1' },
        ctx,
        onDiff: (diff, _version, cursor) => {
          remove(diff.removed);
          upsert([...diff.added, ...diff.changed]);
          cursors.push({ cursor: cursor!, held: new Map(view) });
        },
      });
      upsert(sub.initial);
      cursors.unshift({ cursor: sub.cursor, held: new Map(view) });
      for (const batch of ops) await engine.runMutation('batch', batch, {});
      sub.unsubscribe();

      const from = cursors[pick % cursors.length]!;
      view.clear();
      upsert([...from.held.values()]);
      const resumed = await engine.subscribe<Row, { room: string }>({ collection: 'steady', params: { room: 'r1' }, ctx, onDiff: () => {}, since: from.cursor });
      expect(resumed.initial).toEqual([]);
      expect(resumed.catchup?.added).toEqual([]);
      remove(resumed.catchup!.removed);
      upsert(resumed.catchup!.changed);
      const fresh = await engine.subscribe<Row, { room: string }>({ collection: 'steady', params: { room: 'r1' }, ctx, onDiff: () => {} });
      const sorted = (rows: Iterable<Row>) => [...rows].sort((x, y) => x.id.localeCompare(y.id));
      expect(sorted(view.values())).toEqual(sorted(fresh.initial));
      expect(resumed.cursor).toBe(fresh.cursor);
    },
  );
});
