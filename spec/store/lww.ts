/**
 * Last-writer-wins: how a write merges into a stored row, and the expiry
 * that never moves backwards.
 *
 * @module
 */
import type { StoreCheckFamily } from '../invariant.js';
import { STORE } from './ids.js';
import { modelBasedCheck } from './model-based.js';

/** The merge invariants of `upsert` and `update`. */
export const lwwFamily: StoreCheckFamily = {
  name: 'last-writer-wins',
  checks: [
    modelBasedCheck({
      id: STORE.lww,
      level: 'MUST',
      title: 'last writer wins by heartbeatAt',
      description:
        'On `upsert` or `update` of a stored id, the incoming fields (state, heartbeatAt) win iff `incoming.heartbeatAt >= stored.heartbeatAt`; an older heartbeat leaves the stored fields as they are. The call returns the row now stored.',
    }),
    modelBasedCheck({
      id: STORE.expiresMonotonic,
      level: 'MUST',
      title: 'expiresAt never decreases',
      description:
        'Every write of a stored id sets `expiresAt = max(stored.expiresAt, incoming.expiresAt)`, whichever side wins the merge, so a late or replayed heartbeat never shortens a lease.',
    }),
  ],
};
