/**
 * The four measured operations, each driven through the reference engine the
 * way a host would: `runMutation` for heartbeat and cursor, `hydrate` for one
 * channel, `runSchedule` for the sweep.
 *
 * @module
 */
import { channelOf, ctxOf, CHANNEL_SIZE, createSubject, picker, stateOf, type Subject, type SubjectKind } from './fixtures.js';
import { collect, measure, median, timeOnce, type LoopLimits, type Rate } from './measure.js';

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
}

/** Renews random existing rows with a small state; the clock moves 1 ms per 100 heartbeats. */
export const heartbeatLoop = (subject: Subject, rows: number): ((k: number) => Promise<unknown>) => {
  const pick = picker(rows, 1);
  return (k) => {
    const i = pick();
    if (k % 100 === 0) subject.clock.advance(1);
    return subject.engine.runMutation(subject.names.heartbeat, { channel: channelOf(i), state: stateOf(i) }, ctxOf(i));
  };
};

/** Moves the cursor of random existing rows. */
export const cursorLoop = (subject: Subject, rows: number): ((k: number) => Promise<unknown>) => {
  const pick = picker(rows, 2);
  return (k) => {
    const i = pick();
    return subject.engine.runMutation(subject.names.cursor, { channel: channelOf(i), cursor: { x: k % 1000, y: 42 } }, ctxOf(i));
  };
};

/** Hydrates random 100-member channels as one of their members. */
export const hydrateLoop = (subject: Subject, rows: number): ((k: number) => Promise<unknown>) => {
  const pick = picker(Math.max(1, Math.floor(rows / CHANNEL_SIZE)), 3);
  return async () => {
    const i = pick() * CHANNEL_SIZE;
    const members = await subject.engine.hydrate<unknown>(subject.names.collection, { channel: channelOf(i) }, ctxOf(i));
    if (members.length !== Math.min(CHANNEL_SIZE, rows)) throw new Error(`hydrate returned ${members.length} rows`);
    return members;
  };
};

/** Options of {@link runSize}. */
export interface SizeOptions {
  limits: Partial<LoopLimits>;
  /** Sweep runs (each with fresh expired rows). */
  sweepRuns: number;
  /** Skip an operation whose predicted cost per call is above this, ms. */
  capMs: number;
  /** Per-call cost at a smaller size, to predict this one by linear scaling (baseline only). */
  previous?: SizeResult;
}

const predictedMs = (rate: Rate | undefined, from: number, to: number): number =>
  rate === undefined ? Infinity : (rate.usPerOp / 1000) * (to / from);

/** Fills one subject with `rows` rows and measures the four operations. */
export const runSize = async (kind: SubjectKind, rows: number, options: SizeOptions): Promise<SizeResult> => {
  const subject = createSubject(kind);
  const fillMs = await timeOnce(() => subject.fill(rows));
  collect();
  const result: SizeResult = { kind, rows, fillMs };
  const previous = options.previous;
  const allowed = (rate: Rate | undefined): boolean =>
    kind === 'current' || previous === undefined || predictedMs(rate, previous.rows, rows) <= options.capMs;

  if (allowed(previous?.heartbeat)) result.heartbeat = await measure(heartbeatLoop(subject, rows), options.limits);
  collect();
  if (allowed(previous?.cursor)) result.cursor = await measure(cursorLoop(subject, rows), options.limits);
  collect();
  if (allowed(previous?.hydrate)) result.hydrate = await measure(hydrateLoop(subject, rows), options.limits);
  collect();

  const sweeps: number[] = [];
  for (let run = 0; run < options.sweepRuns; run++) {
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
