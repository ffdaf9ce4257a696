/**
 * The four mutations. Each parses its args, resolves the caller from ctx,
 * checks the channel gate, asks the machine what to write and hands the
 * result to the engine's actions, so rules, schema and fan-out apply.
 *
 * @module
 */
import type { MutationActions, MutationDefinition } from '../contract.js';
import { parseChannelArgs, parseCursorArgs, parseHeartbeatArgs, parseTypingArgs, checkPatchedState, checkState, type ChannelArgs } from '../args.js';
import { actorOf, assertChannelAccess, scopeOf } from '../caller.js';
import { cursorPatch, heartbeatRow, patchedRow, rowsToLeave, typingPatch } from '../machine.js';
import type { PresenceNames } from '../names.js';
import { presenceRowId, type PresenceIdentity, type PresenceRow, type PresenceState } from '../row.js';
import type { PresenceSettings } from '../settings.js';
import type { ViewIndex } from '../view-index.js';
import { removeRow } from './removal.js';

/** What `presence:leave` resolves to. */
export interface LeaveResult {
  /** How many of the caller's rows were removed. */
  removed: number;
}

/**
 * The caller's identity in a channel: actor and scope from ctx, after the
 * gate. Synchronous when there is no `canAccessChannel`, so the hot path
 * awaits (and allocates) nothing for a gate that cannot say no; `return await`
 * below likewise saves the extra promise an async function's plain return of
 * a promise would cost.
 */
const identify = <Ctx>(settings: PresenceSettings<Ctx>, args: ChannelArgs, ctx: Ctx): PresenceIdentity | Promise<PresenceIdentity> => {
  const identity: PresenceIdentity = {
    scope: scopeOf(settings, ctx),
    channel: args.channel,
    actorId: actorOf(settings, ctx),
    sessionId: args.session ?? '',
  };
  if (settings.canAccessChannel === undefined) return identity;
  return assertChannelAccess(settings, args.channel, ctx).then(() => identity);
};

/** `next(value)` at once when `value` is already here, once it settles otherwise: a synchronous answer costs no microtask. */
const andThen = <Value, Result>(value: Value | Promise<Value>, next: (value: Value) => Result | Promise<Result>): Result | Promise<Result> =>
  value instanceof Promise ? value.then(next) : next(value);

/** The promise of `run`'s answer: a synchronous throw rejects it, as an async handler's would. */
const settle = <Result>(run: () => Result | Promise<Result>): Promise<Result> => {
  try {
    const answer = run();
    return answer instanceof Promise ? answer : Promise.resolve(answer);
  } catch (error) {
    return Promise.reject(error);
  }
};

/** Builds the heartbeat, leave, cursor and typing mutations; a leave tells the view index what this node's views no longer hold. */
export const presenceMutations = <Ctx>(settings: PresenceSettings<Ctx>, names: PresenceNames, index: ViewIndex): MutationDefinition<unknown, Ctx>[] => {
  const { store } = settings;

  // Each handler runs synchronously as far as the store allows (a sync store
  // costs no promise and no microtask of its own) and still fails by rejecting.
  const patch = (args: ChannelArgs, ctx: Ctx, actions: MutationActions, makePatch: (now: number) => PresenceState): Promise<PresenceRow> =>
    settle(() =>
      andThen(identify(settings, args, ctx), (identity) => {
        const now = settings.now();
        // A store that lends its row is not asked for a copy: the checked
        // snapshot below is the only copy of the state the patch makes.
        const id = presenceRowId(identity);
        const { lend } = store;
        return andThen(lend !== undefined ? lend(id) : store.get(id), (stored) => {
          const change = makePatch(now);
          const row = patchedRow(stored, change, now, identity);
          // The state written is the size check's own copy: it shares nothing with a lent row. A loan
          // whose state size the store knows (only a loan: `get` promises no size) is counted by the
          // patch's change alone, not walked.
          row.state = (lend !== undefined ? checkPatchedState(row.state, stored!, change, settings) : undefined) ?? checkState(row.state, settings);
          return actions.update<PresenceRow>(names.table, row);
        });
      }),
    );

  return [
    {
      name: names.heartbeat,
      handler: (input, ctx, actions) =>
        settle(() => {
          const args = parseHeartbeatArgs(input, settings);
          return andThen(identify(settings, args, ctx), (identity) => {
            const now = settings.now();
            const write = (stored: PresenceRow | undefined): Promise<PresenceRow> =>
              actions.insert<PresenceRow>(names.table, heartbeatRow(stored, identity, args.state, now, settings.ttlMs));
            // With a new state the stored row decides nothing the store's own merge
            // does not (last writer wins, expiresAt = max), and the store's admit
            // counts a new member atomically: skip the read.
            return args.state !== undefined ? write(undefined) : andThen(store.get(presenceRowId(identity)), write);
          });
        }),
    },
    {
      name: names.leave,
      async handler(input, ctx, actions): Promise<LeaveResult> {
        const args = parseChannelArgs(input, settings);
        const identity = await identify(settings, args, ctx);
        const rows =
          args.session === undefined
            ? rowsToLeave(await store.channel(identity.scope, identity.channel, settings.now()), identity.actorId)
            : [await store.get(presenceRowId(identity))].filter((row): row is PresenceRow => row !== undefined);
        for (const row of rows) {
          await removeRow(actions, names.table, row, true);
          index.forget(row);
        }
        return { removed: rows.length };
      },
    },
    {
      name: names.cursor,
      handler: (input, ctx, actions) => {
        const args = parseCursorArgs(input, settings);
        return patch(args, ctx, actions, () => cursorPatch(args.cursor));
      },
    },
    {
      name: names.typing,
      handler: (input, ctx, actions) => {
        const args = parseTypingArgs(input, settings);
        return patch(args, ctx, actions, (now) => typingPatch(args.typing, now, settings.typingTtlMs));
      },
    },
  ];
};
