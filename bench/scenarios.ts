/**
 * The four measured operations, each driven through an engine (the reference
 * engine, or the real one for the `real` subject) the way a host would:
 * `runMutation` for heartbeat and cursor, `hydrate` for one channel,
 * `runSchedule` for the sweep. Also the same mutations on the pack's path
 * alone and on the store alone, for the CPU-time ratios.
 *
 * @module
 */
import { presenceRowId, type PresenceRow } from '../src/row.js';
import type { PresenceStore } from '../src/store.js';
import type { BenchCtx } from './baseline-03.js';
import { cpuRounds, type Op, type RoundOptions, type RoundsResult } from './cpu-rounds.js';
import { changeLogLoop, engineCommitLoop, referenceCommitLoop } from './engine-cost.js';
import { channelOf, ctxOf, CHANNEL_SIZE, createCurrentSubject, createSubject, onReferenceEngine, picker, scopeOf, stateOf, TTL_MS, type Subject, type SubjectKind } from './fixtures.js';
import { collect, measure, median, timeOnce, type LoopLimits, type Rate } from './measure.js';
import type { RealEngineFactory } from './real-engine.js';

/** Expired rows each sweep run removes. */
export const SWEEP_ROWS = 10_000;

/** Every number one subject produced at one size. */
export interface SizeResult {
  kind: SubjectKind;
  rows: number;
  fillMs: number;
  heartbeat?: Rate;
  cursor?: Rate;
  hydrate?: Rate;
  /** One entry per sweep run, ms. */
  sweepMs?: number[];
  /** The memory floor at this size: see {@link floorLoop}. */
  floor?: Rate;
  /** Heartbeat and cursor on the pack's path alone, no engine (current only). */
  packHeartbeat?: Rate;
  packCursor?: Rate;
  /** A commit of the trivial pack through this subject's engine: see `engine-cost.ts`. */
  engineCommit?: Rate;
}

/** How a loop runs one mutation: through the engine (the default) or the pack's path alone. */
type Run = (name: string, args: unknown, ctx: BenchCtx) => Promise<unknown>;

const viaEngine = (subject: Subject): Run => (name, args, ctx) => subject.engine.runMutation(name, args, ctx);

/** Renews random existing rows with a small state; the clock moves 1 ms per 100 heartbeats. */
export const heartbeatLoop = (subject: Subject, rows: number, run: Run = viaEngine(subject)): ((k: number) => Promise<unknown>) => {
  const pick = picker(rows, 1);
  return (k) => {
    const i = pick();
    if (k % 100 === 0) subject.clock.advance(1);
    return run(subject.names.heartbeat, { channel: channelOf(i), state: stateOf(i) }, ctxOf(i));
  };
};

/** Moves the cursor of random existing rows. */
export const cursorLoop = (subject: Subject, rows: number, run: Run = viaEngine(subject)): ((k: number) => Promise<unknown>) => {
  const pick = picker(rows, 2);
  return (k) => {
    const i = pick();
    return run(subject.names.cursor, { channel: channelOf(i), cursor: { x: k % 1000, y: 42 } }, ctxOf(i));
  };
};

/** Sets or clears typing on random existing rows. */
export const typingLoop = (subject: Subject, rows: number, run: Run = viaEngine(subject)): ((k: number) => Promise<unknown>) => {
  const pick = picker(rows, 4);
  return (k) => {
    const i = pick();
    return run(subject.names.typing!, { channel: channelOf(i), typing: k % 2 === 0 }, ctxOf(i));
  };
};

/** The id of row `i`. */
const idOf = (i: number): string => presenceRowId({ scope: scopeOf(i), channel: channelOf(i), actorId: `user-${i}`, sessionId: '' });

/** What a heartbeat asks of the store alone: `admit` of the renewed row (no limits), as the pack's writer does. */
export const storeHeartbeatLoop = (subject: Subject & { store: PresenceStore }, rows: number): Op => {
  const pick = picker(rows, 1);
  const limits = { maxMembers: Infinity, maxSessionsPerActor: Infinity };
  return (k) => {
    const i = pick();
    if (k % 100 === 0) subject.clock.advance(1);
    const now = subject.clock.now();
    const identity = { scope: scopeOf(i), channel: channelOf(i), actorId: `user-${i}`, sessionId: '' };
    return subject.store.admit({ id: presenceRowId(identity), ...identity, state: stateOf(i), heartbeatAt: now, expiresAt: now + TTL_MS }, limits);
  };
};

/** What a cursor patch asks of the store alone: `get` of the row, then `update` of it with the new cursor. */
export const storeCursorLoop = (subject: Subject & { store: PresenceStore }, rows: number): Op => {
  const pick = picker(rows, 2);
  return (k) => {
    // The memory store answers synchronously.
    const stored = subject.store.get(idOf(pick())) as PresenceRow;
    return subject.store.update({ ...stored, state: { ...stored.state, cursor: { x: k % 1000, y: 42 } } });
  };
};

/** Hydrates random 100-member channels as one of their members. */
export const hydrateLoop = (subject: Subject, rows: number, engine = subject.engine): ((k: number) => Promise<unknown>) => {
  const pick = picker(Math.max(1, Math.floor(rows / CHANNEL_SIZE)), 3);
  return async () => {
    const i = pick() * CHANNEL_SIZE;
    const members = await engine.hydrate<unknown>(subject.names.collection, { channel: channelOf(i) }, ctxOf(i));
    if (members.length !== Math.min(CHANNEL_SIZE, rows)) throw new Error(`hydrate returned ${members.length} rows`);
    return members;
  };
};

/**
 * The memory floor: a bare `Map` from the same row ids to small objects,
 * looked up with the heartbeat loop's picks (id encoded each time, one field
 * written and read back). No store, no engine: what any id-keyed in-memory
 * store pays for finding and renewing a random row at this size.
 */
export const floorLoop = (rows: number): ((k: number) => Promise<unknown>) => {
  const byId = new Map<string, { expiresAt: number }>();
  for (let i = 0; i < rows; i++) byId.set(idOf(i), { expiresAt: i + 0.5 });
  const pick = picker(rows, 1);
  return async (k) => {
    const entry = byId.get(idOf(pick()))!;
    entry.expiresAt = k + 0.5;
    return entry.expiresAt;
  };
};

/** The timed operations. */
export type Operation = 'heartbeat' | 'cursor' | 'hydrate' | 'sweep';

/** Options of {@link runSize}. */
export interface SizeOptions {
  limits: Partial<LoopLimits>;
  /** Sweep runs (each with fresh expired rows); a run slower than `capMs` ends them. */
  sweepRuns: number;
  /** Cap per call, ms. */
  capMs: number;
  /** Operations not to run (predicted over the cap). */
  skip: ReadonlySet<Operation>;
}

/**
 * Which operations of a subject to skip at `rows`, predicting each one's cost
 * per call by scaling its cost at a smaller size linearly (the baseline's
 * scans are linear): over `capMs` is skipped.
 */
export const overCap = (previous: SizeResult | undefined, rows: number, capMs: number): Operation[] => {
  if (previous === undefined) return [];
  const predicted = (usPerCall: number | undefined): number =>
    usPerCall === undefined ? Infinity : (usPerCall / 1000) * (rows / previous.rows);
  const sweep = previous.sweepMs === undefined || previous.sweepMs.length === 0 ? undefined : median(previous.sweepMs) * 1000;
  const rates: [Operation, number | undefined][] = [
    ['heartbeat', previous.heartbeat?.usPerOp],
    ['cursor', previous.cursor?.usPerOp],
    ['hydrate', previous.hydrate?.usPerOp],
    ['sweep', sweep],
  ];
  return rates.filter(([, usPerCall]) => predicted(usPerCall) > capMs).map(([operation]) => operation);
};

/** Fills one subject with `rows` rows and measures the four operations (the real engine's subject: heartbeat, cursor, hydrate and its commit cost). */
export const runSize = async (kind: SubjectKind, rows: number, options: SizeOptions, real?: RealEngineFactory): Promise<SizeResult> => {
  const subject = createSubject(kind, real);
  const fillMs = await timeOnce(() => subject.fill(rows));
  const result: SizeResult = { kind, rows, fillMs };
  const { skip } = options;
  // A large heap that has just been filled needs longer for V8 to settle (sweeping, heap growth).
  const limits: Partial<LoopLimits> = { warmupMs: rows >= 100_000 ? 1000 : 300, ...options.limits };

  // Each loop starts with a forced GC (see measure).
  if (!skip.has('heartbeat')) result.heartbeat = await measure(heartbeatLoop(subject, rows), limits);
  if (!skip.has('cursor')) result.cursor = await measure(cursorLoop(subject, rows), limits);
  if (!skip.has('hydrate')) result.hydrate = await measure(hydrateLoop(subject, rows), limits);
  if (kind === 'real') {
    result.engineCommit = await measure(engineCommitLoop(real!()), limits);
    return result;
  }
  if (kind === 'current') {
    result.floor = await measure(floorLoop(rows), limits);
    result.engineCommit = await measure(referenceCommitLoop(), limits);
  }
  if (subject.packOnly !== undefined) {
    result.packHeartbeat = await measure(heartbeatLoop(subject, rows, subject.packOnly), limits);
    result.packCursor = await measure(cursorLoop(subject, rows, subject.packOnly), limits);
  }

  const sweeps: number[] = [];
  for (let run = 0; run < (skip.has('sweep') ? 0 : options.sweepRuns); run++) {
    const { first, last } = subject.addExpiring(`sweep${run}`, SWEEP_ROWS, subject.clock.now() + 1);
    subject.clock.advance(2);
    collect();
    sweeps.push(await timeOnce(() => subject.engine.runSchedule(subject.names.cleanup)));
    if ((await subject.has(first)) || (await subject.has(last))) throw new Error(`${kind}: sweep left expired rows behind`);
    if (sweeps[sweeps.length - 1]! > options.capMs) break;
  }
  result.sweepMs = sweeps;
  return result;
};

/** The median sweep time of a result, ms. */
export const sweepMedian = (result: SizeResult | undefined): number | undefined =>
  result?.sweepMs === undefined || result.sweepMs.length === 0 ? undefined : median(result.sweepMs);

/**
 * The CPU-time rounds at `rows` (see `cpu-rounds.ts`): the floor, the store
 * alone, the pack alone and the path through the engine, for heartbeat,
 * cursor and typing, plus the engine's own commit cost and a hydrate. On the
 * reference engine (`real` absent) the change log is also timed alone; with
 * `real`, the pack runs on the real engine, and the reference engine's
 * heartbeat, cursor, hydrate and commit run beside it in the same rounds
 * (`reference …`, a second pack over the same store). With `packOnly`, only
 * the floor, the store alone and the pack alone (the memory targets' loops).
 */
export const runRatios = async (rows: number, options: RoundOptions, real?: RealEngineFactory, packOnly = false): Promise<RoundsResult> => {
  const subject = createCurrentSubject(real);
  subject.fill(rows);
  const pack = subject.packOnly!;
  const loops: Record<string, Op> = {
    floor: floorLoop(rows),
    'store heartbeat': storeHeartbeatLoop(subject, rows),
    'store cursor': storeCursorLoop(subject, rows),
    'pack heartbeat': heartbeatLoop(subject, rows, pack),
    'pack cursor': cursorLoop(subject, rows, pack),
    'pack typing': typingLoop(subject, rows, pack),
  };
  if (packOnly) {
    collect();
    return cpuRounds(loops, options);
  }
  Object.assign(loops, {
    'engine heartbeat': heartbeatLoop(subject, rows),
    'engine cursor': cursorLoop(subject, rows),
    'engine typing': typingLoop(subject, rows),
    'engine hydrate': hydrateLoop(subject, rows),
    'engine commit': real === undefined ? referenceCommitLoop() : engineCommitLoop(real()),
  });
  if (real === undefined) loops['change log commit'] = changeLogLoop();
  else {
    const reference = onReferenceEngine(subject);
    const viaReference: Run = (name, args, ctx) => reference.runMutation(name, args, ctx);
    loops['reference heartbeat'] = heartbeatLoop(subject, rows, viaReference);
    loops['reference cursor'] = cursorLoop(subject, rows, viaReference);
    loops['reference hydrate'] = hydrateLoop(subject, rows, reference);
    loops['reference commit'] = referenceCommitLoop();
  }
  collect();
  return cpuRounds(loops, options);
};
