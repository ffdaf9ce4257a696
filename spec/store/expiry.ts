/**
 * Expiry: liveness in `channel` reads and what `sweep` removes.
 *
 * @module
 */
import type { StoreCheckFamily } from '../invariant.js';
import { STORE } from './ids.js';
import { modelBasedCheck } from './model-based.js';

/** The liveness and cleanup invariants. */
export const expiryFamily: StoreCheckFamily = {
  name: 'expiry and sweep',
  checks: [
    modelBasedCheck({
      id: STORE.channel,
      level: 'MUST',
      title: 'channel returns exactly the live rows of one scope and channel',
      description:
        '`channel(scope, channel, now)` returns, in any order, exactly the stored rows with that scope and that channel and `expiresAt > now`: no row of another scope or channel, no row that has expired (`expiresAt === now` is expired), whether or not a sweep ran.',
    }, { listing: true }),
    modelBasedCheck({
      id: STORE.sweep,
      level: 'MUST',
      title: 'sweep removes exactly the expired rows, at most limit, idempotently',
      description:
        '`sweep(now)` removes and returns exactly the rows with `expiresAt <= now` (`<=`, not `<`); `sweep(now, limit)` removes and returns exactly `min(limit, expired)` of them, each expired, each once. A second `sweep(now)` at the same instant returns `[]`. Live rows are never removed.',
    }, { listing: true }),
  ],
};
