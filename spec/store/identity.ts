/**
 * Identity: distinct identities never share a row, whatever characters they
 * hold, and two stores never share anything.
 *
 * @module
 */
import fc from 'fast-check';
import type { PresenceRow } from '../../src/row.js';
import type { PresenceStore } from '../../src/store.js';
import { sameRows, showRows } from '../equal.js';
import type { StoreCheck, StoreCheckFamily, StoreSubject } from '../invariant.js';
import { runProperty } from '../run-property.js';
import { STORE } from './ids.js';
import { modelBasedCheck } from './model-based.js';
import { InvariantViolation } from './model-run.js';
import { basicUniverse, rowIn } from './universe.js';

const expectEmpty = async (store: PresenceStore, when: string): Promise<void> => {
  const rows = await store.rows();
  if (rows.length > 0) throw new InvariantViolation(STORE.instances, `${when}, rows() is ${showRows(rows)}, expected []`);
};

/** Writes to one store, then proves the other store neither sees nor changes them. */
const isolationRun = async (first: PresenceStore, second: PresenceStore, rows: readonly PresenceRow[]): Promise<void> => {
  await expectEmpty(first, 'right after create()');
  await expectEmpty(second, 'right after a second create()');
  for (const row of rows) await first.upsert(structuredClone(row));
  const written = await first.rows();
  await expectEmpty(second, `after ${rows.length} upserts into another store`);
  for (const id of basicUniverse.ids) {
    if ((await second.get(id)) !== undefined) throw new InvariantViolation(STORE.instances, `get(${id}) on an empty store found another store's row`);
  }
  await second.sweep(Number.MAX_SAFE_INTEGER);
  for (const row of rows) await second.upsert(structuredClone({ ...row, state: { other: true } }));
  await second.remove(rows[0]?.id ?? '');
  const after = await first.rows();
  if (!sameRows(after, written)) {
    throw new InvariantViolation(STORE.instances, `writes, a remove and a sweep on another store changed rows() from ${showRows(written)} to ${showRows(after)}`);
  }
};

const instancesCheck: StoreCheck = {
  invariant: {
    id: STORE.instances,
    level: 'MUST',
    title: 'two stores from create() share nothing',
    description:
      'Each `create()` returns an empty store, and nothing written to, removed from or swept out of one store is visible in another (no module-level map, no shared key prefix).',
  },
  weight: 0.5,
  run: (subject: StoreSubject, settings) =>
    runProperty(
      fc.asyncProperty(fc.array(rowIn(basicUniverse), { minLength: 1, maxLength: 8 }), async (rows) => {
        const first = await subject.create();
        const second = await subject.create();
        try {
          await isolationRun(first, second, rows);
        } finally {
          await subject.destroy?.(first);
          await subject.destroy?.(second);
        }
      }),
      settings,
    ),
};

/** The identity invariants. */
export const identityFamily: StoreCheckFamily = {
  name: 'identity and isolation',
  checks: [
    modelBasedCheck({
        id: STORE.ids,
        level: 'MUST',
        title: 'ids with any characters work and distinct identities never collide',
        description:
          'Rows are keyed by their whole `id`, compared exactly (no collation, case folding, trimming, normalisation, numeric coercion or truncation). Scope, channel, actor and session may hold `:`, quotes, backslashes, spaces, NUL, lone surrogates, unicode (composed or not), look like numbers, run to hundreds of characters or be empty; a write to one identity never changes the row of another, e.g. channel `a:b` + actor `c` and channel `a` + actor `b:c`.',
    }),
    instancesCheck,
  ],
};
