/**
 * The model-based property shared by most store invariants: random sequences
 * of every store call over a universe of identities, checked against the
 * model after each command. The invariant decides only which disagreements
 * fail the run (see `model-run.ts`), so every such invariant is exercised by
 * the same rich traffic and still fails under its own name.
 *
 * @module
 */
import fc from 'fast-check';
import { presenceRowId } from '../../src/row.js';
import type { Invariant, StoreCheck } from '../invariant.js';
import { commandsReplayPath, runProperty } from '../run-property.js';
import {
  ChannelCommand,
  GetCommand,
  RemoveCommand,
  RowsCommand,
  SweepCommand,
  WriteCommand,
  type StoreCommand,
} from './commands.js';
import { ModelRun } from './model-run.js';
import { withStore } from './subject.js';
import { basicUniverse, clockTime, rowIn, type Universe } from './universe.js';

/** Longest command sequence; long enough to insert, expire, sweep and re-insert the same ids. */
const MAX_COMMANDS = 40;

/** Every store call, with writes weighted up so the store fills. */
export const storeCommands = (universe: Universe): fc.Arbitrary<StoreCommand>[] => {
  const id = fc.constantFrom(...universe.ids);
  return [
    rowIn(universe).map((row) => new WriteCommand('upsert', row)),
    rowIn(universe).map((row) => new WriteCommand('upsert', row)),
    rowIn(universe).map((row) => new WriteCommand('update', row)),
    id.map((value) => new RemoveCommand(value)),
    id.map((value) => new GetCommand(value)),
    fc.oneof(
      fc
        .tuple(fc.constantFrom(...universe.channels), clockTime)
        .map(([[scope, channel], now]) => new ChannelCommand(scope, channel, now)),
      // Half the reads look at one identity's channel at the instant its row expires, so a
      // store that still lists a row whose `expiresAt === now` is caught in most runs.
      fc
        .tuple(fc.constantFrom(...universe.identities), clockTime)
        .map(([identity, now]) => new ChannelCommand(identity.scope, identity.channel, now, presenceRowId(identity))),
    ),
    fc
      .tuple(clockTime, fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }))
      .map(([now, limit]) => new SweepCommand(now, limit)),
    fc.constant(new RowsCommand()),
  ];
};

/** A check of `invariant` by model-based runs over `universe`. */
export const modelBasedCheck = (invariant: Invariant, universe: Universe = basicUniverse): StoreCheck => ({
  invariant,
  run: (subject, settings) => {
    const replayPath = commandsReplayPath(settings.path);
    const commands = fc.commands(storeCommands(universe), {
      maxCommands: MAX_COMMANDS,
      size: 'max',
      ...(replayPath === undefined ? {} : { replayPath }),
    });
    return runProperty(
      fc.asyncProperty(commands, (sequence) =>
        withStore(subject, async (store) => {
          const run = new ModelRun(invariant.id, universe.ids);
          // A fresh store should be empty (STORE-INSTANCES judges that); here the model starts from what it holds.
          await run.adopt(store);
          await fc.asyncModelRun(() => ({ model: run, real: store }), sequence);
        }),
      ),
      settings,
    );
  },
});
