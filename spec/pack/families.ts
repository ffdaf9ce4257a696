/**
 * The pack families: what the presence pack must guarantee on a given store,
 * checked through the reference engine with live subscriptions.
 *
 * @module
 */
import type { CheckFamily } from '../invariant.js';
import { PACK } from './ids.js';
import { JUDGES } from './judges.js';
import { packModelCheck } from './model-based.js';
import { prefixCheck } from './prefix.js';
import { cleanupRetryCheck } from './cleanup-retry.js';
import { clusterCheck } from './cluster.js';
import { cleanupRaceCheck, patchLeaveRaceCheck } from './races.js';
import type { PackSubject } from './subject.js';

/** A family of pack invariants. */
export type PackCheckFamily = CheckFamily<PackSubject>;

/** Heartbeat, patch, leave and cleanup do what the spec says. */
export const packSemanticsFamily: PackCheckFamily = {
  name: 'pack semantics',
  checks: [
    packModelCheck(
      {
        id: PACK.semantics,
        level: 'MUST',
        title: 'every command leaves the store as the model says',
        description:
          'A heartbeat upserts the caller’s row (`heartbeatAt = now`, `expiresAt = max(previous, now + ttl)`, state replaced when given, kept while live when omitted, `{}` after expiry); an older heartbeat never overwrites a newer one; cursor and typing change only `state` of a live row and fail with `NOT_PRESENT` otherwise; a leave removes one session, or every live session of the caller in the channel; cleanup removes exactly the rows with `expiresAt <= now`.',
      },
      JUDGES[PACK.semantics],
      // It judges the most (outcomes, leave counts, member limits, typing): as many runs as a store check.
      { weight: 1 },
    ),
    packModelCheck(
      {
        id: PACK.ttl,
        level: 'MUST',
        title: 'a row’s expiresAt never decreases',
        description: 'No command, whatever the clock does (it may step backwards), lowers the `expiresAt` of a stored row.',
      },
      JUDGES[PACK.ttl],
    ),
  ],
};

/** Who sees what. */
export const packVisibilityFamily: PackCheckFamily = {
  name: 'pack visibility',
  checks: [
    packModelCheck(
      {
        id: PACK.scope,
        level: 'MUST',
        title: 'no row crosses a scope, in hydrate or in pushed diffs',
        description:
          'A subscriber, a new subscription and a one-shot hydrate of scope S and channel C only ever receive rows of scope S and channel C; the scope comes from `scope(ctx)` alone.',
      },
      JUDGES[PACK.scope],
    ),
    packModelCheck(
      {
        id: PACK.expired,
        level: 'MUST',
        title: 'expired rows are invisible, cleaned up or not',
        description: 'Hydrate and a new subscription never return a row with `expiresAt <= now`, whether or not cleanup has run.',
      },
      JUDGES[PACK.expired],
    ),
    packModelCheck(
      {
        id: PACK.converge,
        level: 'MUST',
        title: 'subscribers’ views equal the model, exactly after cleanup',
        description:
          'After every command the live rows of each subscriber’s view equal the model’s live rows of that scope and channel; after cleanup the view holds exactly the model’s rows (the removed ones arrive as deletes).',
      },
      JUDGES[PACK.converge],
    ),
  ],
};

/** Who may write what, and with which input. */
export const packWritesFamily: PackCheckFamily = {
  name: 'pack writes',
  checks: [
    packModelCheck(
      {
        id: PACK.actor,
        level: 'MUST',
        title: 'a caller only ever changes its own rows',
        description:
          'The actor comes from `getActorId(ctx)` and the scope from `scope(ctx)` alone: no command of actor A, whatever its args claim (`actorId`, `userId`, `scope`, `id`...), changes, creates or removes a row of another actor or scope.',
      },
      JUDGES[PACK.actor],
    ),
    packModelCheck(
      {
        id: PACK.acl,
        level: 'MUST',
        title: 'canAccessChannel gates subscribe and every mutation',
        description:
          'A caller the gate refuses gets `CHANNEL_DENIED` from subscribe, heartbeat, leave, cursor and typing, and the store does not change; a caller it admits is never refused.',
      },
      JUDGES[PACK.acl],
    ),
    packModelCheck(
      {
        id: PACK.input,
        level: 'MUST',
        title: 'malformed args are rejected with a PresenceError and change nothing',
        description:
          'Args that are not an object, a channel or session of the wrong type or length, a state that is not a JSON object or exceeds the size limit: each is rejected with a `PresenceError` carrying a `code`; the store is unchanged and no subscriber receives anything.',
      },
      JUDGES[PACK.input],
    ),
    packModelCheck(
      {
        id: PACK.faults,
        level: 'MUST',
        title: 'a failing store rejects the call and never half-writes',
        description:
          'With a store that fails a quarter of its calls (`withFaults`), a failed call rejects with `STORE_UNAVAILABLE` (or the error the model expects), every row is either as before or as the completed call would leave it, and a call that succeeds does exactly what the model says.',
      },
      JUDGES[PACK.faults],
      // Faults must land between the writes of one call to expose a half-write: give it more runs.
      { faults: true, weight: 1 },
    ),
  ],
};

/** Two prefixed packs share nothing. */
export const packPrefixFamily: PackCheckFamily = {
  name: 'pack prefix',
  checks: [
    prefixCheck({
      id: PACK.prefix,
      level: 'MUST',
      title: 'two prefixed packs on one engine share nothing',
      description:
        'Every table, collection, mutation and schedule name carries the prefix; two packs with different prefixes register on one engine without conflict, and no command sent to one changes the other’s rows or reaches its subscribers.',
    }),
  ],
};

/** Concurrent calls, interleaved by `fc.scheduler`. */
export const packRacesFamily: PackCheckFamily = {
  name: 'pack races',
  checks: [
    cleanupRaceCheck({
      id: PACK.raceCleanup,
      level: 'MUST',
      title: 'a heartbeat racing cleanup is never lost',
      description:
        'Rows expire, then their actors heartbeat while one or two cleanups run; the scheduler interleaves every store call of all of them. Once all settle, every renewed row is stored and live: cleanup re-checks expiry atomically (`sweep`) instead of deleting a list of rows it read earlier.',
    }),
    patchLeaveRaceCheck({
      id: PACK.racePatchLeave,
      level: 'MUST',
      title: 'a patch racing a leave never brings the row back',
      description:
        'A cursor or typing patch of a live row runs while its owner leaves (naming the session or not); the scheduler interleaves their store calls. Once both settle the leave reported `{ removed: 1 }`, the row is gone, and the patch either returned the patched row or failed with `NOT_PRESENT`: a patch is an `update`, never an insert.',
    }),
    cleanupRetryCheck({
      id: PACK.cleanupRetry,
      level: 'MUST',
      title: 'cleanup retries an unavailable store, and nothing else',
      description:
        'When the store fails the first sweeps with `STORE_UNAVAILABLE`, a cleanup run tries three times in all: after one or two failures it completes and removes the expired rows, after three it fails with `STORE_UNAVAILABLE` and changes nothing. Any other error is not retried: the sweep is called once.',
    }),
  ],
};

/** Several engine nodes on one store, joined by a lossy cluster bus. */
export const packClusterFamily: PackCheckFamily = {
  name: 'pack cluster',
  checks: [
    clusterCheck({
      id: PACK.cluster,
      level: 'MUST',
      title: 'views on every node converge, whatever the cluster bus loses',
      description:
        'Two or three reference engines, each with its own pack instance, share the store and a cluster bus that holds every published batch until a step delivers or drops it, in any order. Heartbeats, cursor patches, leaves, subscriptions and cleanups run on random nodes while the clock moves (also backwards). Once the rest of the bus is delivered or dropped and every node has run its cleanup once, every subscriber on every node holds exactly the model’s live rows of its scope and channel: no ghost of a missed leave or expiry, no stale renewal, no missed join.',
    }),
  ],
};

/** The pack families, in report order. */
export const packFamilies: readonly PackCheckFamily[] = [
  packSemanticsFamily,
  packVisibilityFamily,
  packWritesFamily,
  packPrefixFamily,
  packRacesFamily,
  packClusterFamily,
];
