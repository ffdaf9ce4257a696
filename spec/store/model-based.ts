/**
 * The model-based property shared by most store invariants: random sequences
 * of every store call over a universe of identities, checked against the
 * model after each command. The invariant decides only which disagreements
 * fail the run (see `model-run.ts`), so every such invariant is exercised by
 * the same rich traffic and still fails under its own name.
 *
 * Each run draws one universe (so its pool of ids stays small and collisions
 * frequent) and one time base (so the same small clock window also sits at
 * epoch-millisecond magnitude, across 2^31 and 2^32, or near the largest safe
 * integer), and has one of four shapes: a short history (most runs), a long
 * one, one id renewed hundreds of times, or (for the listing checks) a crowd
 * of more members than a typical result cap in one channel. Every run ends with an unbounded sweep at
 * the end of the window, which must return exactly the model's expired rows.
 *
 * @module
 */
import fc from 'fast-check';
import { presenceRowId, type PresenceIdentity } from '../../src/row.js';
import type { Invariant, StoreCheck } from '../invariant.js';
import { commandsReplayPath, runProperty } from '../run-property.js';
import {
  ChannelCommand,
  ChurnCommand,
  CrowdCommand,
  GetCommand,
  RemoveCommand,
  ReviseCommand,
  RowsCommand,
  SweepCommand,
  WriteCommand,
  type ExpiryClock,
  type StoreCommand,
} from './commands.js';
import { ModelRun } from './model-run.js';
import { withStore } from './subject.js';
import { REVISIONS } from './revisions.js';
import { CLOCK_END, clockTime, heartbeatTime, rowIn, timeBase, timeToLive, universeOf, universeOfRun, type Universe } from './universe.js';

/** A read or sweep at a stored row's expiry, or one millisecond either side. */
const expiryClock = (universe: Universe): fc.Arbitrary<ExpiryClock> =>
  fc.record({ id: fc.constantFrom(...universe.ids), offset: fc.constantFrom(0, 0, -1, 1) });

/** Sweep limits: mostly tiny (a sweep that stops early shows), sometimes past any crowd. */
const sweepLimit = fc.option(fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 3 }) }, fc.integer({ min: 4, max: 1_200 })), {
  nil: undefined,
});

/**
 * A channel read: of any channel at any time, or (half the reads) of one
 * identity's channel at, or 1 ms around, the instant its row expires, so a
 * store that still lists a row whose `expiresAt === now` is caught in most runs.
 */
const channelRead = (universe: Universe, now: fc.Arbitrary<number>): fc.Arbitrary<StoreCommand> =>
  fc.oneof(
    fc.tuple(fc.constantFrom(...universe.channels), now).map(([[scope, channel], time]) => new ChannelCommand(scope, channel, time)),
    fc
      .tuple(fc.constantFrom(...universe.identities), now, expiryClock(universe))
      .map(([identity, time, at]) => new ChannelCommand(identity.scope, identity.channel, time, { ...at, id: presenceRowId(identity) })),
  );

/**
 * The identities that share scope, channel and actor with another one (two
 * sessions of one member): where a `remove` that takes the neighbour shows.
 * Most universes hold a single such pair, so some writes and removes aim at
 * it; a universe without one aims at all its identities.
 */
const pairedIn = (universe: Universe): Universe => {
  const member = (identity: PresenceIdentity): string => JSON.stringify([identity.scope, identity.channel, identity.actorId]);
  const count = new Map<string, number>();
  for (const identity of universe.identities) count.set(member(identity), (count.get(member(identity)) ?? 0) + 1);
  const paired = universe.identities.filter((identity) => count.get(member(identity))! > 1);
  return paired.length === 0 ? universe : universeOf(paired);
};

/** Every store call, with writes weighted up so the store fills; times offset by `base`. */
export const storeCommands = (universe: Universe, base = 0): fc.Arbitrary<StoreCommand>[] => {
  const id = fc.constantFrom(...universe.ids);
  const paired = pairedIn(universe);
  const now = clockTime.map((time) => base + time);
  return [
    rowIn(universe, base).map((row) => new WriteCommand('upsert', row)),
    fc.oneof(rowIn(universe, base), rowIn(paired, base)).map((row) => new WriteCommand('upsert', row)),
    rowIn(universe, base).map((row) => new WriteCommand('update', row)),
    // A patch-like write: the stored state revised deep inside or at its end.
    fc
      .tuple(fc.constantFrom(...universe.identities), heartbeatTime, timeToLive, fc.constantFrom(...REVISIONS))
      .map(([identity, heartbeatAt, ttl, revision]) => new ReviseCommand(identity, base + heartbeatAt, ttl, revision)),
    fc.oneof(id, fc.constantFrom(...paired.ids)).map((value) => new RemoveCommand(value)),
    id.map((value) => new GetCommand(value)),
    // Reads twice as often as other calls: a listing is where matching and collation bugs show.
    channelRead(universe, now),
    channelRead(universe, now),
    fc.oneof(
      fc.tuple(now, sweepLimit).map(([time, limit]) => new SweepCommand(time, limit)),
      fc.tuple(now, sweepLimit, expiryClock(universe)).map(([time, limit, at]) => new SweepCommand(time, limit, at)),
    ),
    fc.constant(new RowsCommand()),
  ];
};

/** One run's shape: how long its history is and what it starts with. */
interface RunShape {
  /** How often this shape is drawn, relative to the others. */
  readonly weight: number;
  /** Longest command sequence. */
  readonly maxCommands: number;
  /** Commands run before the random sequence. */
  readonly prologue: (universe: Universe, base: number) => fc.Arbitrary<StoreCommand[]>;
}

const none = (): fc.Arbitrary<StoreCommand[]> => fc.constant([]);

/**
 * More members than a `LIMIT 1000` returns, in one channel of the universe,
 * and still more once one in seven has left (the closing sweep must pass the cap too).
 */
const crowd = (universe: Universe, base: number): fc.Arbitrary<StoreCommand[]> =>
  fc
    .tuple(fc.constantFrom(...universe.channels), fc.integer({ min: 1_170, max: 1_220 }))
    .map(([[scope, channel], count]) => [new CrowdCommand(scope, channel, count, base)]);

/** Most bystanders a churn run stores: enough live expiries for a rebuilt index to be out of order. */
const MAX_BYSTANDERS = 8;

/**
 * One identity renewed hundreds of times; sweeps pop stale expiry keys, so some runs sweep rarely enough
 * for them to pile up; most runs store bystanders first.
 */
const churn = (universe: Universe, base: number): fc.Arbitrary<StoreCommand[]> =>
  fc
    .tuple(
      fc.nat(universe.identities.length - 1),
      fc.integer({ min: 80, max: 200 }),
      fc.integer({ min: 0, max: 20 }),
      fc.integer({ min: 1, max: 150 }),
      fc.integer({ min: 0, max: MAX_BYSTANDERS }),
    )
    .map(([index, renewals, ttl, sweepEvery, bystanders]) => {
      const others = universe.identities.filter((_, other) => other !== index).slice(0, bystanders);
      return [new ChurnCommand(universe.identities[index]!, renewals, ttl, sweepEvery, base, others)];
    });

/** The shapes every model-based check runs. */
const SHAPES: readonly RunShape[] = [
  // Long enough to insert, expire, sweep and re-insert the same ids.
  { weight: 15, maxCommands: 40, prologue: none },
  { weight: 1, maxCommands: 150, prologue: none },
  { weight: 1, maxCommands: 20, prologue: churn },
];

/**
 * A crowd only shows in listings, and costs a thousand writes: only the
 * listing checks (`channel`, `sweep`, `rows`) run it, in about one run in twenty.
 */
const LISTING_SHAPES: readonly RunShape[] = [...SHAPES, { weight: 1, maxCommands: 8, prologue: crowd }];

/** One generated run: its universe, time base, prologue and commands. */
class RunPlan {
  /**
   * @param universe - the identities of the run
   * @param base - the time base
   * @param prologue - the commands run first
   * @param commands - the random sequence
   */
  constructor(
    readonly universe: Universe,
    readonly base: number,
    readonly prologue: readonly StoreCommand[],
    readonly commands: Iterable<StoreCommand>,
  ) {}

  /** The run as a counterexample shows it (the commands keep fast-check's replay comment). */
  toString(): string {
    const start = this.prologue.map(String).join(', ');
    return `timeBase=${this.base}; ${start === '' ? '' : `${start}; `}${fc.stringify(this.commands)}; then sweep(now=${this.base + CLOCK_END})`;
  }
}

/** Commands one check adds to every call of the store (the calls of an optional method). */
export type ExtraCommands = (universe: Universe, base: number) => fc.Arbitrary<StoreCommand>[];

const plans = (shapes: readonly RunShape[], replayPath: string | undefined, extra?: ExtraCommands): fc.Arbitrary<RunPlan> =>
  fc.oneof(
    ...shapes.map((shape) => ({
      weight: shape.weight,
      arbitrary: fc.tuple(universeOfRun, timeBase).chain(([universe, base]) =>
        fc
          .tuple(
            shape.prologue(universe, base),
            fc.commands([...storeCommands(universe, base), ...(extra?.(universe, base) ?? [])], {
              maxCommands: shape.maxCommands,
              size: 'max',
              ...(replayPath === undefined ? {} : { replayPath }),
            }),
          )
          .map(([prologue, commands]) => new RunPlan(universe, base, prologue, commands)),
      ),
    })),
  );

/**
 * A check of `invariant` by model-based runs over every universe; with
 * `listing`, some runs also crowd a channel past a typical result cap.
 */
export const modelBasedCheck = (invariant: Invariant, options: { listing?: boolean; extra?: ExtraCommands } = {}): StoreCheck => ({
  invariant,
  run: (subject, settings) =>
    runProperty(
      fc.asyncProperty(plans(options.listing === true ? LISTING_SHAPES : SHAPES, commandsReplayPath(settings.path), options.extra), (plan) =>
        withStore(subject, async (store) => {
          const run = new ModelRun(invariant.id, plan.universe.ids);
          // A fresh store should be empty (STORE-INSTANCES judges that); here the model starts from what it holds.
          await run.adopt(store);
          for (const command of plan.prologue) await command.run(run, store);
          await fc.asyncModelRun(() => ({ model: run, real: store }), plan.commands);
          await new SweepCommand(plan.base + CLOCK_END, undefined).run(run, store);
        }),
      ),
      settings,
    ),
});
