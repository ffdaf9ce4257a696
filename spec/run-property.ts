/**
 * Runs one fast-check property with the certification's settings and turns
 * fast-check's run details into a check outcome. A property that executed no
 * run is a failure: a certificate must never rest on zero evidence.
 *
 * @module
 */
import fc from 'fast-check';
import type { CheckOutcome, CheckSettings } from './invariant.js';

const describeError = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Checks `property` with `settings` and reports what happened. */
export const runProperty = async <Ts extends [unknown, ...unknown[]]>(
  property: fc.IAsyncPropertyWithHooks<Ts>,
  settings: CheckSettings,
): Promise<CheckOutcome> => {
  const details = await fc.check(property, {
    seed: settings.seed,
    numRuns: settings.numRuns,
    ...(settings.path === undefined ? {} : { path: settings.path }),
  });
  if (details.numRuns === 0) {
    return { failed: true, runs: 0, error: 'the property executed zero runs (every input was skipped), so it proves nothing' };
  }
  if (details.failed) {
    return {
      failed: true,
      runs: details.numRuns,
      ...(details.counterexample === null ? {} : { counterexample: details.counterexample.map((value) => fc.stringify(value)).join(', ') }),
      ...(details.counterexamplePath === null ? {} : { path: details.counterexamplePath }),
      error: details.errorInstance === null ? 'the property failed without an error' : describeError(details.errorInstance),
    };
  }
  return { failed: false, runs: details.numRuns };
};
