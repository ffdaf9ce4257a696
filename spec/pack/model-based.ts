/**
 * The model-based property behind most pack invariants: random command
 * sequences (honest mutations, attacks, malformed args, clock steps both
 * ways, cleanups, subscriptions) against the pack on the reference engine
 * with live views, each step judged by one invariant's judge.
 *
 * @module
 */
import fc from 'fast-check';
import type { PresenceStore } from '../../src/store.js';
import { withFaults } from '../faults.js';
import type { Invariant, InvariantCheck } from '../invariant.js';
import { commandsReplayPath, runProperty } from '../run-property.js';
import { withStore } from '../store/subject.js';
import { packCommands } from './commands.js';
import type { Judge } from './step.js';
import { MEMBER_LIMITS, SESSION_LIMITS, type PackSubject } from './subject.js';
import { PackWorld } from './world.js';

/** Long enough to join, patch, expire, clean up and rejoin. */
const MAX_COMMANDS = 30;

/** A check of the pack. */
export type PackCheck = InvariantCheck<PackSubject>;

/** How often an armed faulty store fails a call. */
const FAIL_RATE = 0.25;

/**
 * A store that forwards to `inner` until armed, then to a fault-injecting
 * wrapper of it: setting up views must not fail, the commands should.
 */
const armable = (inner: PresenceStore, seed: number): { store: PresenceStore; arm: () => void } => {
  const faulty = withFaults(inner, { failRate: FAIL_RATE, seed });
  let target = inner;
  type Methods = Required<PresenceStore>;
  const forward =
    <Key extends keyof Methods>(key: Key) =>
    (...args: Parameters<Methods[Key]>) =>
      (target[key] as (...params: Parameters<Methods[Key]>) => ReturnType<Methods[Key]>)(...args);
  return {
    store: {
      get: forward('get'),
      upsert: forward('upsert'),
      admit: forward('admit'),
      update: forward('update'),
      remove: forward('remove'),
      channel: forward('channel'),
      sweep: forward('sweep'),
      rows: forward('rows'),
      // A store that lends is driven through its lending path too.
      ...(inner.lend === undefined ? {} : { lend: forward('lend') }),
    },
    arm: () => {
      target = faulty;
    },
  };
};

/** A check of `invariant`, judged by `judge`; with `faults`, the pack's store fails a quarter of its calls. */
export const packModelCheck = (invariant: Invariant, judge: Judge, options: { faults?: boolean; weight?: number } = {}): PackCheck => ({
  invariant,
  weight: options.weight ?? 0.3,
  run: (subject, settings) => {
    const replayPath = commandsReplayPath(settings.path);
    return runProperty(
      fc.asyncProperty(
        fc.commands(packCommands(), { maxCommands: MAX_COMMANDS, size: 'max', ...(replayPath === undefined ? {} : { replayPath }) }),
        fc.integer({ min: 0, max: 0x7fffffff }),
        // Two runs in five configure a small member limit and one in five a session limit, so joins
        // meet both kinds of CHANNEL_FULL; fewer under faults, where full channels would leave fewer
        // renewals for a fault to land inside.
        fc.oneof(
          { weight: options.faults === true ? 6 : 2, arbitrary: fc.constant(undefined) },
          { weight: 2, arbitrary: fc.constantFrom(...MEMBER_LIMITS) },
          { weight: 1, arbitrary: fc.constantFrom(...SESSION_LIMITS) },
        ),
        (commands, faultSeed, limits) =>
          withStore(subject, async (inner) => {
            const { store, arm } = armable(inner, faultSeed);
            const world = await PackWorld.open(inner, options.faults === true ? store : inner, subject.createPack, limits);
            try {
              if (options.faults === true) arm();
              await fc.asyncModelRun(() => ({ model: {}, real: { world, judge } }), commands);
            } finally {
              world.close();
            }
          }),
      ),
      settings,
      // The fault seed decides which store calls fail; without faults it plays no part.
      ([commands, faultSeed]) => (options.faults === true ? `${String(commands)} (store calls failing by fault seed ${faultSeed})` : String(commands)),
    );
  },
});
