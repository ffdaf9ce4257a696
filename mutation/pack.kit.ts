/**
 * The kit as the only test of the pack: what Stryker runs against each mutant
 * of `src/machine.ts` and `src/surfaces/*.ts`. A mutant survives only if the
 * pack certification at default runs, on the memory store, passes it. The seed
 * is fixed so a report can be reproduced; `MUTATION_SEED` overrides it.
 */
import { describePresencePack } from '../spec/vitest.js';
import { createMemoryPresenceStore } from '../src/stores/memory.js';

describePresencePack('presence pack under the kit', {
  create: () => createMemoryPresenceStore(),
  seed: Number(process.env['MUTATION_SEED'] ?? 1),
});
