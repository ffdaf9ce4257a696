/**
 * Store basics: what a write stores, what `update` may not do, what `remove`
 * removes and what `rows` lists.
 *
 * @module
 */
import type { StoreCheckFamily } from '../invariant.js';
import { STORE } from './ids.js';
import { modelBasedCheck } from './model-based.js';

/** The basic read and write invariants. */
export const basicsFamily: StoreCheckFamily = {
  name: 'store basics',
  checks: [
    modelBasedCheck({
      id: STORE.getAfterUpsert,
      level: 'MUST',
      title: 'get returns exactly the row an upsert inserted',
      description:
        'After `upsert(row)` of an id that is not stored, both the returned row and `get(row.id)` deep-equal `row`, every field included (`sessionId` `\'\'` too). `get` of an id never written returns `undefined`.',
    }),
    modelBasedCheck({
      id: STORE.updateNoResurrect,
      level: 'MUST',
      title: 'update never inserts a missing row',
      description:
        '`update(row)` of an id that is not stored (never written, removed, or swept) returns `undefined` and stores nothing, so a late heartbeat or patch cannot bring back a member who left.',
    }),
    modelBasedCheck({
      id: STORE.removeExact,
      level: 'MUST',
      title: 'remove deletes exactly one id and returns it',
      description:
        '`remove(id)` deletes that id only (other sessions, actors, channels and scopes are untouched) and returns the removed row, or `undefined` when nothing was stored.',
    }),
    modelBasedCheck({
      id: STORE.rows,
      level: 'MUST',
      title: 'rows lists every stored row, expired or not',
      description: '`rows()` returns every stored row exactly once, including rows that have expired but are not swept yet.',
    }, { listing: true }),
  ],
};
