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
import { createPresenceHarness } from '../harness.js';
import type { Invariant } from '../invariant.js';
import { runProperty } from '../run-property.js';
import { withStore } from '../store/subject.js';
import type { ModelCaller } from './model.js';
import type { PackCheck } from './model-based.js';
import { ACTORS, MODEL_SETTINGS, SCOPES, START, ctxOf, packConfig, type PackSubject } from './subject.js';

/** The store methods the scheduler gates, once armed. */
const METHODS = ['get', 'upsert', 'admit', 'update', 'remove', 'channel', 'sweep', 'rows'] as const;

/** `inner` with each call started only when the scheduler releases it (after `arm`). */
const scheduled = (inner: PresenceStore, scheduler: fc.Scheduler): { store: PresenceStore; arm: () => void } => {
  let armed = false;
  const gate =
    <Key extends (typeof METHODS)[number]>(key: Key) =>
    async (...args: Parameters<PresenceStore[Key]>): Promise<Awaited<ReturnType<PresenceStore[Key]>>> => {
      if (armed) await scheduler.schedule(Promise.resolve(), `${key}(${args.map((arg) => show(arg)).join(', ')})`);
      const call = inner[key] as (...params: Parameters<PresenceStore[Key]>) => ReturnType<PresenceStore[Key]>;
      return await call.apply(inner, args);
    };
  const store = Object.fromEntries(METHODS.map((key) => [key, gate(key)])) as unknown as PresenceStore;
  return { store, arm: () => (armed = true) };
};

/** Callers whose rows expire, then renew while cleanup runs. */
const renewals = fc.uniqueArray(fc.record({ actor: fc.constantFrom(...ACTORS), scope: fc.constantFrom(...SCOPES) }), {
  minLength: 1,
  maxLength: 3,
  selector: (caller) => `${caller.actor}@${caller.scope}`,
});

const text = (callers: readonly ModelCaller[]): string => callers.map((caller) => `${caller.actor}@${caller.scope}`).join(', ');

/** The heartbeat-versus-cleanup race check. */
export const cleanupRaceCheck = (invariant: Invariant): PackCheck => ({
  invariant,
  weight: 0.5,
  run: (subject: PackSubject, settings) =>
    runProperty(
      fc.asyncProperty(fc.scheduler(), renewals, fc.boolean(), async (scheduler, callers, twice) =>
        withStore(subject, async (inner) => {
          const { store, arm } = scheduled(inner, scheduler);
          const harness = createPresenceHarness({
            config: { ...packConfig(), store },
            start: START,
            ...(subject.createPack === undefined ? {} : { createPack: subject.createPack }),
          });
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
              `heartbeats of ${text(lost)} succeeded while cleanup ran, but their rows are gone (renewed: ${text(callers)}; order: ${scheduler
                .report()
                .map((task) => task.label)
                .join(' → ')})`,
            );
          }
        }),
      ),
      settings,
    ),
});
