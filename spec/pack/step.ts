/**
 * What one command did, as the checks see it: the call, what the model
 * expected, what happened, and the stored rows before and after.
 *
 * @module
 */
import type { PresenceRow } from '../../src/row.js';
import type { ModelCaller, ModelOutcome } from './model.js';
import type { PackWorld } from './world.js';

/** What kind of command ran. */
export type StepKind = 'mutation' | 'attack' | 'bad-input' | 'clock' | 'cleanup' | 'subscribe';

/** The result of a call: its value, or what it threw. */
export type CallOutcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** One executed command. */
export interface Step {
  /** The command, as its line in a counterexample. */
  label: string;
  /** What kind of command it was. */
  kind: StepKind;
  /** Who ran it (mutations, attacks, bad input, subscriptions). */
  caller?: ModelCaller;
  /** The channel it touched. */
  channel?: string;
  /** What the model says should happen (absent for bad input: it must be rejected). */
  expected?: ModelOutcome;
  /** What happened. */
  outcome: CallOutcome;
  /** Stored rows before the command. */
  before: PresenceRow[];
  /** Stored rows after the command. */
  after: PresenceRow[];
  /** The model's rows after the command. */
  modelAfter: PresenceRow[];
}

/** Judges one step for one invariant: a message when the invariant broke. */
export type Judge = (step: Step, world: PackWorld) => Promise<string | undefined>;

/** Runs `call`, capturing a throw as an outcome. */
export const capture = async (call: () => Promise<unknown>): Promise<CallOutcome> => {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, error };
  }
};

/** The `code` of a thrown presence error, looking through retry wrappers; `undefined` for anything else. */
export const errorCode = (error: unknown): string | undefined => {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, code, cause } = error as { name?: unknown; code?: unknown; cause?: unknown };
  if (name === 'PresenceError' && typeof code === 'string') return code;
  if (name === 'RetriesExhaustedError') return errorCode(cause);
  return undefined;
};

/** A thrown value as one line. */
export const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : `non-error ${JSON.stringify(error)}`;
