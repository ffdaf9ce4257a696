/**
 * The commands of a pack run. Each is a tiny class whose `toString` reads like
 * the call (`ann@s1 heartbeat(channel="c1", session="tab", state={"v":1})`),
 * because that line is what a counterexample shows. `run` applies the command
 * to the model and to the pack, records a {@link Step}, hands it to the
 * invariant's judge, then re-aligns the model with the store so each step is
 * judged on its own.
 *
 * @module
 */
import fc from 'fast-check';
import type { JsonValue, PresenceRow } from '../../src/row.js';
import type { PresenceParams } from '../../src/surfaces/collection.js';
import type { ModelCaller, ModelOutcome } from './model.js';
import { capture, type CallOutcome, type Judge, type Step, type StepKind } from './step.js';
import { ACTORS, CHANNELS, SCOPES, SESSIONS, ctxOf } from './subject.js';
import type { PackWorld } from './world.js';

/** The real side of a run: the world and the judge of the invariant under check. */
export interface PackRunner {
  /** The world. */
  world: PackWorld;
  /** The invariant's judge. */
  judge: Judge;
}

/** A pack command. */
export type PackCommand = fc.AsyncCommand<object, PackRunner>;

/** What a command's action reports back. */
interface Acted {
  kind: StepKind;
  caller?: ModelCaller;
  channel?: string;
  expected?: ModelOutcome;
  outcome: CallOutcome;
}

/** Rows in id order, so a command's `pick` names the same row on every replay. */
const sortedById = (rows: PresenceRow[]): PresenceRow[] => rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

const text = (value: unknown): string => (value === undefined ? 'undefined' : JSON.stringify(value));
const who = (caller: ModelCaller): string => `${caller.actor}@${caller.scope}`;

/** The mutations a caller can run. */
type MutationName = 'heartbeat' | 'leave' | 'cursor' | 'typing';

/** Well-formed mutation args. */
type MutationArgs = { channel: string; session?: string; state?: PresenceRow['state']; cursor?: JsonValue; typing?: boolean };

/** Applies `mutation` with `args` to the model, then sends `payload` to the engine as `caller`. */
const mutate = async (world: PackWorld, caller: ModelCaller, mutation: MutationName, args: MutationArgs, payload: Record<string, unknown>): Promise<Acted> => {
  const now = world.now;
  const session = args.session ?? '';
  const { model } = world;
  const expected =
    mutation === 'heartbeat'
      ? model.heartbeat(caller, args.channel, session, args.state, now)
      : mutation === 'leave'
        ? model.leave(caller, args.channel, args.session, now)
        : mutation === 'cursor'
          ? model.patch(caller, args.channel, session, { cursor: args.cursor ?? null }, now)
          : model.patch(
              caller,
              args.channel,
              session,
              { typing: args.typing === true, typingExpiresAt: args.typing === true ? now + model.settings.typingTtlMs : null },
              now,
            );
  const outcome = await capture(() => world.harness.engine.runMutation(world.harness.names[mutation], payload, ctxOf(caller)));
  return { kind: 'mutation', caller, channel: args.channel, expected, outcome };
};

/** Shared run loop: act, record, judge, re-align. */
abstract class Command implements PackCommand {
  /** Always applicable. */
  check(): boolean {
    return true;
  }

  /** Runs the command against the model and the pack, then judges the step. */
  async run(_model: object, runner: PackRunner): Promise<void> {
    const { world } = runner;
    const before = await world.stored();
    const acted = await this.act(world);
    const step: Step = { label: this.toString(), before, after: await world.stored(), modelAfter: [...world.model.rows.values()], ...acted };
    const problem = await runner.judge(step, world);
    if (problem !== undefined) throw new Error(`after ${step.label}: ${problem}`);
    await world.resync();
  }

  /** Performs the command. */
  protected abstract act(world: PackWorld): Promise<Acted>;

  /** The command as a call. */
  abstract toString(): string;
}

/** A mutation by a caller with well-formed args. */
export class MutationCommand extends Command {
  /**
   * Creates the command.
   * @param caller - who runs it
   * @param mutation - which mutation
   * @param args - its args (`channel`, `session`, and `state` / `cursor` / `typing`)
   */
  constructor(
    readonly caller: ModelCaller,
    readonly mutation: MutationName,
    readonly args: MutationArgs,
  ) {
    super();
  }

  /** Applies the mutation to the model, then runs it on the engine. */
  protected act(world: PackWorld): Promise<Acted> {
    return mutate(world, this.caller, this.mutation, this.args, this.payload());
  }

  /** The args sent to the engine (a fresh object: the pack may not keep a reference). */
  protected payload(): Record<string, unknown> {
    return structuredClone(this.args);
  }

  /** `ann@s1 heartbeat(channel="c1", ...)`. */
  toString(): string {
    const parts = Object.entries(this.args).map(([key, value]) => `${key}=${text(value)}`);
    return `${who(this.caller)} ${this.mutation}(${parts.join(', ')})`;
  }
}

/**
 * A mutation whose args also name another actor, scope and row, the way a
 * malicious client would. A correct pack ignores those fields and acts as the
 * caller, so the model applies the plain mutation.
 */
export class AttackCommand extends MutationCommand {
  /**
   * Creates the command.
   * @param caller - who runs it
   * @param victim - whose identity the args claim
   * @param mutation - which mutation
   * @param channel - the channel
   */
  constructor(
    caller: ModelCaller,
    readonly victim: ModelCaller,
    mutation: MutationName,
    channel: string,
  ) {
    super(caller, mutation, mutation === 'heartbeat' ? { channel, state: { pwned: true } } : mutation === 'leave' ? { channel } : mutation === 'cursor' ? { channel, cursor: 'pwned' } : { channel, typing: true });
  }

  /** The honest args plus the victim's identity under every name a pack might read. */
  protected override payload(): Record<string, unknown> {
    const { victim } = this;
    return {
      ...super.payload(),
      actorId: victim.actor,
      userId: victim.actor,
      scope: victim.scope,
      tenant: victim.scope,
      id: JSON.stringify([victim.scope, this.args.channel, victim.actor, '']),
    };
  }

  /** Marks the step as an attack. */
  protected override async act(world: PackWorld): Promise<Acted> {
    return { ...(await super.act(world)), kind: 'attack' };
  }

  /** `bob@s1 claiming ann@s2: heartbeat(...)`. */
  override toString(): string {
    return `${who(this.caller)} claiming ${who(this.victim)}: ${super.toString().slice(who(this.caller).length + 1)}`;
  }
}

/**
 * A mutation by the owner of a stored row, on that row's channel and session
 * (the first caller joining `c1` when the store is empty). Independently drawn
 * callers meet one of 36 identities, so they rarely renew or patch a row that
 * exists: this is how a run gets state-less renewals of rows that carry a
 * state, typing flags on live rows, and renewals for a store fault to land in.
 */
export class OwnerCommand extends Command {
  #target = 'the first caller in c1 if nothing is stored';

  /**
   * Creates the command.
   * @param pick - which stored row (by id order, modulo the count)
   * @param mutation - which mutation its owner runs
   * @param extra - the args besides channel and session (`state`, `cursor` or `typing`)
   */
  constructor(
    readonly pick: number,
    readonly mutation: MutationName,
    readonly extra: Omit<MutationArgs, 'channel' | 'session'>,
  ) {
    super();
  }

  /** Runs the mutation as the picked row's owner. */
  protected async act(world: PackWorld): Promise<Acted> {
    const rows = sortedById(await world.stored());
    const row = rows[this.pick % Math.max(1, rows.length)];
    const caller: ModelCaller = row === undefined ? { actor: ACTORS[0], scope: SCOPES[0] } : { actor: row.actorId, scope: row.scope };
    // A row stored for a client that sent no session has sessionId '': send none again.
    const place = row === undefined ? { channel: CHANNELS[0] } : row.sessionId === '' ? { channel: row.channel } : { channel: row.channel, session: row.sessionId };
    const args: MutationArgs = { ...place, ...this.extra };
    this.#target = `${who(caller)} ${this.mutation}(${Object.entries(args)
      .map(([key, value]) => `${key}=${text(value)}`)
      .join(', ')})`;
    return mutate(world, caller, this.mutation, args, structuredClone(args));
  }

  /** `owner of stored row #2 (by id): ann@s1 heartbeat(channel="c1")`. */
  toString(): string {
    return `owner of stored row #${this.pick} (by id): ${this.#target}`;
  }
}

/** Moves the clock (backwards too). */
export class ClockCommand extends Command {
  /**
   * Creates the command.
   * @param ms - milliseconds to move by
   */
  constructor(readonly ms: number) {
    super();
  }

  /** Moves the clock. */
  protected async act(world: PackWorld): Promise<Acted> {
    world.harness.clock.advance(this.ms);
    return { kind: 'clock', expected: { ok: true }, outcome: { ok: true, value: world.now } };
  }

  /** `clock(+500ms)`. */
  toString(): string {
    return `clock(${this.ms >= 0 ? '+' : ''}${this.ms}ms)`;
  }
}

/**
 * Sets the clock onto the `expiresAt` of a stored row, or one millisecond
 * either side: the instant a row stops being live, which random steps rarely hit.
 */
export class ClockToExpiryCommand extends Command {
  /**
   * Creates the command.
   * @param pick - which instant of the stored rows (by id order, modulo the count)
   * @param offset - added to its `expiresAt`: -1, 0 or 1
   */
  constructor(
    readonly pick: number,
    readonly offset: number,
  ) {
    super();
  }

  /** Moves the clock; does nothing when the store is empty. */
  protected async act(world: PackWorld): Promise<Acted> {
    const rows = sortedById(await world.stored());
    // Every instant a row changes meaning at: its expiry, and the end of its typing flag.
    const instants = rows.flatMap((row) => {
      const typingEnds = row.state['typingExpiresAt'];
      return typeof typingEnds === 'number' ? [row.expiresAt, typingEnds] : [row.expiresAt];
    });
    const instant = instants[this.pick % Math.max(1, instants.length)];
    if (instant !== undefined) world.harness.clock.set(instant + this.offset);
    return { kind: 'clock', expected: { ok: true }, outcome: { ok: true, value: world.now } };
  }

  /** `clock(=instant #1 of the stored rows +1ms)`. */
  toString(): string {
    const shift = this.offset === 0 ? '' : ` ${this.offset > 0 ? '+' : ''}${this.offset}ms`;
    return `clock(=instant #${this.pick} of the stored rows' expiresAt and typingExpiresAt, by id${shift})`;
  }
}

/** Runs the cleanup schedule. */
export class CleanupCommand extends Command {
  /** Sweeps the model, then runs the schedule. */
  protected async act(world: PackWorld): Promise<Acted> {
    world.model.cleanup(world.now);
    return { kind: 'cleanup', expected: { ok: true }, outcome: await capture(() => world.harness.cleanup()) };
  }

  /** `cleanup()`. */
  toString(): string {
    return 'cleanup()';
  }
}

/** Subscribes as a caller and unsubscribes at once: the gate and the initial rows are what count. */
export class SubscribeCommand extends Command {
  /**
   * Creates the command.
   * @param caller - who subscribes
   * @param channel - to which channel
   */
  constructor(
    readonly caller: ModelCaller,
    readonly channel: string,
  ) {
    super();
  }

  /** Subscribes, keeping the initial rows as the outcome. */
  protected async act(world: PackWorld): Promise<Acted> {
    const { caller, channel } = this;
    const expected: ModelOutcome = world.model.settings.allowed(channel, caller) ? { ok: true } : { ok: false, code: 'CHANNEL_DENIED' };
    const outcome = await capture(async () => {
      const subscription = await world.harness.engine.subscribe<PresenceRow, PresenceParams>({
        collection: world.harness.names.collection,
        params: { channel },
        ctx: ctxOf(caller),
        onDiff: () => {},
      });
      subscription.unsubscribe();
      return subscription.initial;
    });
    return { kind: 'subscribe', caller, channel, expected, outcome };
  }

  /** `ann@s1 subscribe(channel="vip")`. */
  toString(): string {
    return `${who(this.caller)} subscribe(channel=${text(this.channel)})`;
  }
}

/** A mutation with malformed args: it must be rejected with a `PresenceError` and change nothing. */
export class BadInputCommand extends Command {
  /**
   * Creates the command.
   * @param caller - who runs it
   * @param mutation - which mutation
   * @param args - the malformed args
   */
  constructor(
    readonly caller: ModelCaller,
    readonly mutation: MutationName,
    readonly args: unknown,
  ) {
    super();
  }

  /** Sends the args. */
  protected async act(world: PackWorld): Promise<Acted> {
    const outcome = await capture(() => world.harness.engine.runMutation(world.harness.names[this.mutation], structuredClone(this.args), ctxOf(this.caller)));
    return { kind: 'bad-input', caller: this.caller, outcome };
  }

  /** `ann@s1 heartbeat(<args>)`. */
  toString(): string {
    return `${who(this.caller)} ${this.mutation}(${text(this.args)}) [malformed]`;
  }
}

const caller: fc.Arbitrary<ModelCaller> = fc.record({ actor: fc.constantFrom(...ACTORS), scope: fc.constantFrom(...SCOPES) });
const channel = fc.constantFrom<string>(...CHANNELS);
const session = fc.constantFrom(...SESSIONS);
const point = fc.record({ x: fc.nat(2), y: fc.nat(2) });
/** States that often share keys and differ only deep inside (a cursor's `y`), so a stale nested value shows. */
const state = fc.record({ v: fc.nat(9), cursor: point }, { requiredKeys: [] });
/** Cursors as numbers and as `{ x, y }` points. */
const cursorValue = fc.oneof(fc.nat(99), point);
const mutationName = fc.constantFrom('heartbeat' as const, 'leave' as const, 'cursor' as const, 'typing' as const);

/** Args that no correct pack may accept: one field of well-formed args made wrong, or no object at all. */
const malformedArgs: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, 42, 'c1', [], ['c1'], true),
  fc.record({
    channel: fc.constantFrom<unknown>(undefined, '', 7, null, ['c1'], { name: 'c1' }, 'x'.repeat(300)),
    typing: fc.constant(true),
    cursor: fc.constant(1),
  }),
  fc.record({
    channel: fc.constant('c1'),
    session: fc.constantFrom<unknown>(3, null, { id: 'tab' }, 's'.repeat(300)),
    typing: fc.constant(true),
    cursor: fc.constant(1),
  }),
);
const malformedState = fc.constantFrom<unknown>('hello', 5, [1, 2], null, { big: 'z'.repeat(9000) }, { n: Number.NaN }, { d: new Date(0) });

/** The commands of a pack run, weighted toward heartbeats so channels fill. */
export const packCommands = (): fc.Arbitrary<PackCommand>[] => {
  const honest = (mutation: MutationName) =>
    fc
      .record({ caller, channel, session, state: fc.option(state, { nil: undefined, freq: 2 }), cursor: cursorValue, typing: fc.boolean() })
      .map(({ caller: who, channel: where, session: tab, state: body, cursor, typing }) => {
        const base = tab === undefined ? { channel: where } : { channel: where, session: tab };
        const extra = mutation === 'heartbeat' ? (body === undefined ? {} : { state: body }) : mutation === 'cursor' ? { cursor } : mutation === 'typing' ? { typing } : {};
        return new MutationCommand(who, mutation, { ...base, ...extra });
      });
  return [
    honest('heartbeat'),
    honest('heartbeat'),
    honest('heartbeat'),
    honest('leave'),
    honest('cursor'),
    honest('typing'),
    fc.tuple(caller, caller, mutationName, channel).map(([who, victim, mutation, where]) => new AttackCommand(who, victim, mutation, where)),
    fc.integer({ min: -12_000, max: 25_000 }).map((ms) => new ClockCommand(ms)),
    fc.integer({ min: -12_000, max: 25_000 }).map((ms) => new ClockCommand(ms)),
    fc.tuple(fc.nat(11), fc.constantFrom(0, 0, -1, 1)).map(([pick, offset]) => new ClockToExpiryCommand(pick, offset)),
    fc.tuple(fc.nat(11), fc.constantFrom(0, 0, -1, 1)).map(([pick, offset]) => new ClockToExpiryCommand(pick, offset)),
    fc.constant(new CleanupCommand()),
    fc.tuple(caller, channel).map(([who, where]) => new SubscribeCommand(who, where)),
    // Renewals of stored rows, half of them without a state, and patches of stored rows.
    fc
      .tuple(fc.nat(11), fc.option(state, { nil: undefined, freq: 2 }))
      .map(([pick, body]) => new OwnerCommand(pick, 'heartbeat', body === undefined ? {} : { state: body })),
    fc
      .tuple(fc.nat(11), fc.oneof(cursorValue.map((cursor) => ({ cursor })), fc.boolean().map((typing) => ({ typing }))))
      .map(([pick, extra]) => new OwnerCommand(pick, 'cursor' in extra ? 'cursor' : 'typing', extra)),
    fc.tuple(caller, mutationName, malformedArgs).map(([who, mutation, args]) => new BadInputCommand(who, mutation, args)),
    fc.tuple(caller, channel, malformedState).map(([who, where, body]) => new BadInputCommand(who, 'heartbeat', { channel: where, state: body })),
  ];
};
