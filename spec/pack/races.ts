/**
 * Cleanup racing heartbeats, interleaved by `fc.scheduler`: every call the
 * pack makes to its store waits for the scheduler, so a run explores the
 * orders in which concurrent heartbeats' reads and writes land between
 * cleanup's reads and deletes. This is where the 0.3 pack lost heartbeats:
 * it listed the expired rows, then deleted them by id.
 *
 * @module
 */
import fc from 'fast-check';
import type { PresenceStore } from '../../src/store.js';
import { show } from '../equal.js';
import type { PresenceHarness } from '../harness.js';
import type { Invariant } from '../invariant.js';
import { runProperty } from '../run-property.js';
import { withStore } from '../store/subject.js';
import type { ModelCaller } from './model.js';
import type { PackCheck } from './model-based.js';
import { errorCode } from './step.js';
import { ACTORS, MODEL_SETTINGS, SCOPES, ctxOf, packHarness, type PackSubject } from './subject.js';

/** The store methods the scheduler gates, once armed. */
const METHODS = ['get', 'upsert', 'admit', 'update', 'remove', 'channel', 'sweep', 'rows'] as const;

/** The parameter names of each gated method, for printing its calls. */
const PARAMETERS: Record<(typeof METHODS)[number], readonly string[]> = {
  get: ['id'],
  upsert: ['row'],
  admit: ['row', 'limits'],
  update: ['row'],
  remove: ['id'],
  channel: ['scope', 'channel', 'now'],
  sweep: ['now', 'limit'],
  rows: [],
};

/** A store call as the store counterexamples print it: named arguments, rows by id and times. */
const callText = (method: (typeof METHODS)[number], args: readonly unknown[]): string =>
  `${method}(${args
    .map((arg, index) => {
      const name = PARAMETERS[method][index] ?? `arg${index}`;
      if (name === 'id') return `id=${String(arg)}`;
      if (name !== 'row') return `${name}=${show(arg)}`;
      const row = arg as { id: string; heartbeatAt: number; expiresAt: number };
      return `id=${row.id}, heartbeatAt=${row.heartbeatAt}, expiresAt=${row.expiresAt}`;
    })
    .join(', ')})`;

/** `inner` with each call started only when the scheduler releases it (after `arm`). */
const scheduled = (inner: PresenceStore, scheduler: fc.Scheduler): { store: PresenceStore; arm: () => void } => {
  let armed = false;
  const gate =
    <Key extends (typeof METHODS)[number]>(key: Key) =>
    async (...args: Parameters<PresenceStore[Key]>): Promise<Awaited<ReturnType<PresenceStore[Key]>>> => {
      if (armed) await scheduler.schedule(Promise.resolve(), callText(key, args));
      const call = inner[key] as (...params: Parameters<PresenceStore[Key]>) => ReturnType<PresenceStore[Key]>;
      return await call.apply(inner, args);
    };
  const store = Object.fromEntries(METHODS.map((key) => [key, gate(key)])) as unknown as PresenceStore;
  return { store, arm: () => (armed = true) };
};

/** The pack under test (or the real one) on `inner`, its store calls gated by the scheduler once armed. */
const scheduledHarness = (subject: PackSubject, inner: PresenceStore, scheduler: fc.Scheduler): { harness: PresenceHarness; arm: () => void } => {
  const { store, arm } = scheduled(inner, scheduler);
  return { harness: packHarness(subject, store), arm };
};

/** Callers whose rows expire, then renew while cleanup runs. */
const renewals = fc.uniqueArray(fc.record({ actor: fc.constantFrom(...ACTORS), scope: fc.constantFrom(...SCOPES) }), {
  minLength: 1,
  maxLength: 3,
  selector: (caller) => `${caller.actor}@${caller.scope}`,
});

const text = (callers: readonly ModelCaller[]): string => callers.map((caller) => `${caller.actor}@${caller.scope}`).join(', ');

/** The store calls in the order the scheduler let them run. */
const order = (scheduler: fc.Scheduler): string =>
  scheduler
    .report()
    .map((task) => task.label)
    .join(' → ');

/** A race as it happened: who renewed, how many cleanups ran, and the store calls in order. */
const raceText = ([scheduler, callers, twice]: [fc.Scheduler, ModelCaller[], boolean]): string =>
  `heartbeat(c1) by ${text(callers)}; clock +${MODEL_SETTINGS.ttlMs} ms (every row expired); then ${twice ? 'two cleanups' : 'one cleanup'} racing heartbeat(c1) by ${text(callers)}; store calls in the order they ran: ${order(scheduler)}`;

/** The heartbeat-versus-cleanup race check. */
export const cleanupRaceCheck = (invariant: Invariant): PackCheck => ({
  invariant,
  weight: 0.5,
  run: (subject: PackSubject, settings) =>
    runProperty(
      fc.asyncProperty(fc.scheduler(), renewals, fc.boolean(), async (scheduler, callers, twice) =>
        withStore(subject, async (inner) => {
          const { harness, arm } = scheduledHarness(subject, inner, scheduler);
          for (const caller of callers) await harness.as(ctxOf(caller)).heartbeat('c1');
          harness.clock.advance(MODEL_SETTINGS.ttlMs); // every row has just expired
          arm();
          const cleanups = Array.from({ length: twice ? 2 : 1 }, () => harness.cleanup());
          const beats = callers.map((caller) => harness.as(ctxOf(caller)).heartbeat('c1'));
          const settled = await scheduler.waitFor(Promise.allSettled([...beats, ...cleanups]));
          const failure = settled.find((outcome) => outcome.status === 'rejected');
          if (failure !== undefined) throw new Error(`a call failed: ${String((failure as PromiseRejectedResult).reason)}`);
          const now = harness.clock.now();
          const live = await inner.channel('s1', 'c1', now);
          const liveOther = await inner.channel('s2', 'c1', now);
          const survivors = new Set([...live, ...liveOther].map((row) => `${row.actorId}@${row.scope}`));
          const lost = callers.filter((caller) => !survivors.has(`${caller.actor}@${caller.scope}`));
          if (lost.length > 0) {
            throw new Error(
              `heartbeats of ${text(lost)} succeeded while cleanup ran, but their rows are gone (renewed: ${text(callers)})`,
            );
          }
        }),
      ),
      settings,
      raceText,
    ),
});

/** A live row, then a cursor or typing patch of it racing its owner's leave. */
const patchLeave = fc.record({
  caller: fc.record({ actor: fc.constantFrom(...ACTORS), scope: fc.constantFrom(...SCOPES) }),
  session: fc.constantFrom(undefined, 'tab'),
  namesSession: fc.boolean(),
  typing: fc.boolean(),
});

type PatchLeave = typeof patchLeave extends fc.Arbitrary<infer Value> ? Value : never;

/** The patch-versus-leave race as it happened: the caller, the two calls, and the store calls in order. */
const patchLeaveText = ([scheduler, { caller, session, namesSession, typing }]: [fc.Scheduler, PatchLeave]): string => {
  const tab = session === undefined ? '' : `, session=${session}`;
  const patch = typing ? `typing(c1, true${tab})` : `cursor(c1, {x:1,y:2}${tab})`;
  const leave = namesSession ? `leave(c1, session=${JSON.stringify(session ?? '')})` : 'leave(c1)';
  return `heartbeat(c1${tab}) by ${text([caller])}; then ${patch} racing ${leave}; store calls in the order they ran: ${order(scheduler)}`;
};

/** The patch-versus-leave race check. */
export const patchLeaveRaceCheck = (invariant: Invariant): PackCheck => ({
  invariant,
  weight: 0.3,
  run: (subject: PackSubject, settings) =>
    runProperty(
      fc.asyncProperty(fc.scheduler(), patchLeave, async (scheduler, { caller, session, namesSession, typing }) =>
        withStore(subject, async (inner) => {
          const { harness, arm } = scheduledHarness(subject, inner, scheduler);
          const client = harness.as(ctxOf(caller));
          const joined = await client.heartbeat('c1', session === undefined ? {} : { session });
          arm();
          const patch = typing ? client.typing('c1', true, session) : client.cursor('c1', { x: 1, y: 2 }, session);
          const leave = client.leave('c1', namesSession ? (session ?? '') : undefined);
          const [patched, left] = await scheduler.waitFor(Promise.allSettled([patch, leave]));
          const problem = await (async (): Promise<string | undefined> => {
            if (left.status === 'rejected') return `the leave failed: ${String(left.reason)}`;
            if (left.value.removed !== 1) return `the leave reported ${show(left.value)}, expected { removed: 1 }`;
            if (patched.status === 'rejected' && errorCode(patched.reason) !== 'NOT_PRESENT') return `the patch failed with ${String(patched.reason)}, expected success or NOT_PRESENT`;
            if (patched.status === 'fulfilled' && patched.value?.id !== joined.id) return `the patch resolved to ${show(patched.value)}, expected the patched row`;
            const stored = await inner.get(joined.id);
            return stored === undefined ? undefined : `the row is stored again after the leave: ${show(stored)}`;
          })();
          if (problem !== undefined) throw new Error(`${problem} (order: ${order(scheduler)})`);
        }),
      ),
      settings,
      patchLeaveText,
    ),
});
