import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { createChangeLog } from '../spec/engine/changelog.js';

type Change = { table: string; op: 'insert' | 'update' | 'delete'; row: { id: string; n: number } };
type Batch = { changes: Change[]; peer?: { origin: string; originVersion: number } };

const change: fc.Arbitrary<Change> = fc.record({
  table: fc.constantFrom('t', 'u'),
  op: fc.constantFrom('insert' as const, 'update' as const, 'delete' as const),
  row: fc.record({ id: fc.constantFrom('a', 'b', 'c'), n: fc.nat(9) }),
});
// The engine never logs an empty batch.
const batch: fc.Arbitrary<Batch> = fc.record(
  { changes: fc.array(change, { minLength: 1, maxLength: 4 }), peer: fc.record({ origin: fc.constantFrom('p', 'q'), originVersion: fc.nat(20) }) },
  { requiredKeys: ['changes'] },
);
const since = fc.oneof(fc.integer({ min: -1, max: 30 }), fc.dictionary(fc.constantFrom('me', 'p', 'q', 'z'), fc.integer({ min: -1, max: 30 })).map((vector) => JSON.stringify(vector)));

/**
 * The log as a plain array trimmed from the front (the engine's own shape):
 * the model the ring buffer must match entry for entry.
 */
const arrayLog = (size: number) => {
  const entries: (Change & { version: number; origin: string; originVersion: number })[] = [];
  const newest = new Map<string, number>();
  let version = 0;
  return {
    commit(changes: Change[], peer?: Batch['peer']) {
      version += 1;
      for (const item of changes) entries.push({ ...item, version, origin: peer?.origin ?? 'me', originVersion: peer?.originVersion ?? version });
      if (peer) newest.set(peer.origin, peer.originVersion);
      while (entries.length > size) entries.shift();
      return version;
    },
    recent: () => entries.slice(-50).map(({ version: v, table, op }) => ({ version: v, table, op })),
    /** The last change per key of table `t` the cursor has not seen; kept rows are `changed`, the rest `removed`. */
    catchup(vector: Record<string, number>, keep: (row: Change['row']) => boolean) {
      const latest = new Map<string, { present: boolean; row: Change['row'] }>();
      for (const entry of entries) {
        const seen = vector[entry.origin];
        if (entry.table === 't' && (seen === undefined || entry.originVersion > seen)) latest.set(entry.row.id, { present: entry.op !== 'delete' && keep(entry.row), row: entry.row });
      }
      const rows = [...latest.values()];
      return { added: [], changed: rows.filter((item) => item.present).map((item) => item.row), removed: rows.filter((item) => !item.present).map((item) => item.row) };
    },
    cursor: () => {
      const vector: Record<string, number> = { me: version };
      for (const [origin, value] of newest) if (entries.some((entry) => entry.origin === origin)) vector[origin] = value;
      return vector;
    },
  };
};

describe('reference change log (ring buffer)', () => {
  test.prop([fc.integer({ min: 0, max: 6 }), fc.array(batch, { maxLength: 40 }), since])(
    'keeps exactly the newest entries, in order, with the same cursor, resume and catch-up answers as a trimmed array',
    (size, batches, resumeFrom) => {
      const ring = createChangeLog('me', size);
      const model = arrayLog(size);
      for (const { changes, peer } of batches) {
        expect(ring.commit(changes, peer)).toBe(model.commit(changes, peer));
        expect(ring.recent()).toEqual(model.recent());
        expect(JSON.parse(ring.cursor())).toEqual(model.cursor());
      }
      const keep = (row: Change['row']) => row.n > 2;
      const vector = typeof resumeFrom === 'number' ? { me: resumeFrom } : (JSON.parse(resumeFrom) as Record<string, number>);
      expect(ring.catchup(resumeFrom, ['t'], (row) => (row as Change['row']).id, (row) => keep(row as Change['row']))).toEqual(model.catchup(vector, keep));
      // Its own cursor always resumes; a non-incremental subscription never does.
      expect(ring.canResume(ring.cursor(), true)).toBe(true);
      expect(ring.canResume(resumeFrom, false)).toBe(false);
    },
  );

  test('a full log overwrites its oldest slot: recent() stays oldest-first across the wrap', () => {
    const log = createChangeLog('me', 3);
    for (let n = 0; n < 7; n++) log.commit([{ table: 't', op: 'update', row: { id: `r${n}`, n } }]);
    expect(log.recent()).toEqual([5, 6, 7].map((version) => ({ version, table: 't', op: 'update' })));
    expect(log.canResume(4, true)).toBe(true);
    expect(log.canResume(3, true)).toBe(false);
    expect(log.catchup(4, ['t'], (row) => (row as { id: string }).id, () => true).changed.map((row) => (row as { id: string }).id)).toEqual(['r4', 'r5', 'r6']);
  });
});
