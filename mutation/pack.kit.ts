/**
 * The kit as the only test of the pack: what Stryker runs against each mutant
 * of `src/machine.ts` and `src/surfaces/*.ts`. A mutant survives only if the
 * pack certification at default runs, on the memory store, passes it. The seed
 * is fixed so a report can be reproduced; `MUTATION_SEED` overrides it.
 * Shrinking is off: a failure already kills the mutant, and shrinking a long
 * run could outlast Stryker's timeout and be counted as a timeout instead.
 */
import fc from 'fast-check';
import { describePresencePack } from '../spec/vitest.js';
import { createMemoryPresenceStore } from '../src/stores/memory.js';

fc.configureGlobal({ endOnFailure: true });

describePresencePack('presence pack under the kit', {
  create: () => createMemoryPresenceStore(),
  seed: Number(process.env['MUTATION_SEED'] ?? 1),
});
