/**
 * Cleanup under a store that fails its sweeps: the schedule retries an
 * unavailable store (three attempts in all) and nothing else. A raw
 * exception from a store (a `TypeError`) reaches the pack as
 * `STORE_UNAVAILABLE`, so it is retried too; a `PresenceError` of another
 * code is a bug and is not. A sweep is
 * atomic, so retrying it is safe; retrying a bug only repeats it.
 *
 * @module
 */
import fc from 'fast-check';
import { PresenceError } from '../../src/errors.js';
import type { PresenceStore } from '../../src/store.js';
import { sameRows, showRows } from '../equal.js';
import type { Invariant } from '../invariant.js';
import { runProperty } from '../run-property.js';
import { withStore } from '../store/subject.js';
import type { PackCheck } from './model-based.js';
import { errorCode } from './step.js';
import { ACTORS, MODEL_SETTINGS, ctxOf, packHarness, type PackSubject } from './subject.js';

/** Attempts a cleanup run gets against an unavailable store. */
export const CLEANUP_ATTEMPTS = 3;

/** How the sweeps fail: how many in a row, and with which error. */
interface SweepFailures {
  /** Failed sweeps before the store answers. */
  readonly count: number;
  /** Whether they fail as `STORE_UNAVAILABLE` (retryable), or as a bug: a `TypeError` or a `PresenceError` of another code. */
  readonly unavailable: boolean;
  /** For an outage: whether it is a slow store (`STORE_TIMEOUT`, retryable too) rather than an unreachable one. */
  readonly timeout: boolean;
  /** For a bug: whether it is a `PresenceError` (`INVALID_ARGS`) rather than a `TypeError`. */
  readonly coded: boolean;
}

/** `inner` whose first `count` sweeps throw; counts every sweep call. */
const failingSweeps = (inner: PresenceStore, { count, unavailable, timeout, coded }: SweepFailures): { store: PresenceStore; calls: () => number } => {
  let calls = 0;
  const store: PresenceStore = {
    get: (id) => inner.get(id),
    upsert: (row) => inner.upsert(row),
    admit: (row, limits) => inner.admit(row, limits),
    update: (row) => inner.update(row),
    remove: (id) => inner.remove(id),
    channel: (scope, channel, now) => inner.channel(scope, channel, now),
    rows: () => inner.rows(),
    sweep: async (now, limit) => {
      calls += 1;
      if (calls > count) return inner.sweep(now, limit);
      if (unavailable) throw new PresenceError(timeout ? 'STORE_TIMEOUT' : 'STORE_UNAVAILABLE', 'injected: sweep failed');
      throw coded ? new PresenceError('INVALID_ARGS', 'injected: a bug in sweep') : new TypeError('injected: a bug in sweep');
    },
  };
  return { store, calls: () => calls };
};

/** Four kinds equally often: an unreachable store, a slow one, a raw exception (retried as an outage), and a coded bug, the only kind never retried. */
const failures: fc.Arbitrary<SweepFailures> = fc
  .record({
    count: fc.integer({ min: 0, max: CLEANUP_ATTEMPTS + 1 }),
    kind: fc.constantFrom(
      { unavailable: true, timeout: false, coded: false },
      { unavailable: true, timeout: true, coded: false },
      { unavailable: false, timeout: false, coded: false },
      { unavailable: false, timeout: false, coded: true },
    ),
  })
  .map(({ count, kind }) => ({ count, ...kind }));

/** Runs one cleanup over expired rows and says what broke, if anything. */
const cleanupOnce = async (subject: PackSubject, inner: PresenceStore, failing: SweepFailures, members: number): Promise<string | undefined> => {
  const { store, calls } = failingSweeps(inner, failing);
  const harness = packHarness(subject, store);
  for (const actor of ACTORS.slice(0, members)) await harness.as(ctxOf({ actor, scope: 's1' })).heartbeat('c1');
  harness.clock.advance(MODEL_SETTINGS.ttlMs);
  const before = await inner.rows();
  const outcome = await harness.cleanup().then(
    () => undefined,
    (error: unknown) => error,
  );
  const after = await inner.rows();
  // A store's raw exception (a TypeError) reaches the pack as STORE_UNAVAILABLE, its cause attached: retried like an outage.
  const retryable = failing.count === 0 || failing.unavailable || !failing.coded;
  const completes = failing.count === 0 || (retryable && failing.count < CLEANUP_ATTEMPTS);
  const wantedCalls = completes ? failing.count + 1 : retryable ? CLEANUP_ATTEMPTS : 1;
  if (calls() !== wantedCalls) return `cleanup called sweep ${calls()} times, expected ${wantedCalls}`;
  if (completes && outcome !== undefined) return `cleanup failed with ${String(outcome)}, though attempt ${failing.count + 1} of ${CLEANUP_ATTEMPTS} succeeds`;
  if (completes && after.length > 0) return `cleanup succeeded but left the expired rows ${showRows(after)}`;
  if (!completes && outcome === undefined) return 'cleanup succeeded, though every sweep it made failed';
  const outage = failing.unavailable && failing.timeout ? 'STORE_TIMEOUT' : 'STORE_UNAVAILABLE';
  if (!completes && retryable && errorCode(outcome) !== outage) return `cleanup failed with ${String(outcome)}, expected ${outage}`;
  if (!completes && !sameRows(before, after)) return `a failed cleanup changed the store to ${showRows(after)}`;
  return undefined;
};

/** The failure as a store author reads it. */
const failureText = (failing: SweepFailures): string =>
  failing.unavailable ? (failing.timeout ? 'STORE_TIMEOUT' : 'STORE_UNAVAILABLE') : failing.coded ? 'INVALID_ARGS' : 'a TypeError';

/** A run as the calls it made: who joined, how the sweeps failed, then cleanup. */
const runText = ([failing, members]: [SweepFailures, number]): string =>
  `heartbeat(c1) by ${members} member(s); clock +${MODEL_SETTINGS.ttlMs} ms; the first ${failing.count} sweep(s) fail with ${failureText(failing)}; then cleanup`;

/** The cleanup-retry check. */
export const cleanupRetryCheck = (invariant: Invariant): PackCheck => ({
  invariant,
  // Cheap runs: 80 of them keep a bug that shows in one run in four well inside the budget.
  weight: 0.2,
  run: (subject: PackSubject, settings) =>
    runProperty(
      fc.asyncProperty(failures, fc.integer({ min: 0, max: ACTORS.length }), (failing, members) =>
        withStore(subject, async (inner) => {
          const problem = await cleanupOnce(subject, inner, failing, members);
          if (problem !== undefined) {
            throw new Error(`with the first ${failing.count} sweeps failing (${failureText(failing)}): ${problem}`);
          }
        }),
      ),
      settings,
      runText,
    ),
});
