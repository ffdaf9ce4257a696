/**
 * The kit as the only test of the memory store: what Stryker runs against
 * each mutant of `src/stores/memory.ts`, `expiry-buckets.ts` and `key-heap.ts`.
 * A mutant survives only if the store certification at default runs passes it.
 * The seed is fixed so a report can be reproduced; `MUTATION_SEED` overrides it.
 */
import fc from 'fast-check';
import { describePresenceStore } from '../spec/vitest.js';
import { createMemoryPresenceStore } from '../src/stores/memory.js';

fc.configureGlobal({ endOnFailure: true });

describePresenceStore('memory store under the kit', {
  create: () => createMemoryPresenceStore(),
  seed: Number(process.env['MUTATION_SEED'] ?? 1),
});
