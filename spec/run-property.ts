/**
 * Runs one fast-check property with the certification's settings and turns
 * fast-check's run details into a check outcome. A property that executed no
 * run is a failure: a certificate must never rest on zero evidence.
 *
 * The kit's replay path is fast-check's path, followed for model-based
 * properties by `@` and the command replay path (fast-check needs both to
 * replay a shrunk command sequence), so one opaque string replays any failure.
 *
 * @module
 */
import fc from 'fast-check';
import type { CheckOutcome, CheckSettings } from './invariant.js';

const REPLAY_MARK = /\s*\/\*replayPath="([^"]*)"\*\//g;

const describeError = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** The command replay path inside a kit path, for `fc.commands({ replayPath })`. */
export const commandsReplayPath = (path: string | undefined): string | undefined => {
  const at = path?.indexOf('@') ?? -1;
  return path === undefined || at < 0 ? undefined : path.slice(at + 1);
};

/** The fast-check part of a kit path. */
const propertyPath = (path: string): string => path.split('@')[0] ?? path;

/**
 * The counterexample as text without fast-check's replay comment (by
 * `print`, or fast-check's printing), and that comment's replay path.
 */
const printCounterexample = <Ts extends unknown[]>(values: Ts, print?: (values: Ts) => string): { text: string; replayPath?: string } => {
  const raw = values.map((value) => fc.stringify(value)).join(', ');
  const replayPath = [...raw.matchAll(REPLAY_MARK)][0]?.[1];
  return { text: (print?.(values) ?? raw).replaceAll(REPLAY_MARK, ''), ...(replayPath === undefined ? {} : { replayPath }) };
};

/**
 * Checks `property` with `settings` and reports what happened. `print` turns
 * a counterexample's values into the calls a store author reads, where
 * fast-check's own printing would show generator internals.
 */
export const runProperty = async <Ts extends [unknown, ...unknown[]]>(
  property: fc.IAsyncPropertyWithHooks<Ts>,
  settings: CheckSettings,
  print?: (values: Ts) => string,
): Promise<CheckOutcome> => {
  const details = await fc.check(property, {
    seed: settings.seed,
    numRuns: settings.numRuns,
    ...(settings.path === undefined ? {} : { path: propertyPath(settings.path) }),
  });
  if (details.numRuns === 0) {
    return { failed: true, runs: 0, error: 'the property executed zero runs (every input was skipped), so it proves nothing' };
  }
  if (!details.failed) return { failed: false, runs: details.numRuns };
  const printed = details.counterexample === null ? undefined : printCounterexample(details.counterexample, print);
  const path = details.counterexamplePath === null ? undefined : details.counterexamplePath;
  return {
    failed: true,
    runs: details.numRuns,
    ...(printed === undefined ? {} : { counterexample: printed.text }),
    ...(path === undefined ? {} : { path: printed?.replayPath === undefined ? path : `${path}@${printed.replayPath}` }),
    error: details.errorInstance === null ? 'the property failed without an error' : describeError(details.errorInstance),
  };
};
