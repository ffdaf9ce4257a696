// Run by `bun test` (from test/bun.test.ts): the vitest binding, imported
// unchanged from the built package, registers one bun test per invariant.
import { createMemoryPresenceStore } from '../../dist/src/index.js';
import { describePresencePack, describePresenceStore } from '../../dist/spec/vitest.js';

describePresenceStore('memory store under bun', { create: () => createMemoryPresenceStore(), numRuns: 50 });
describePresencePack('presence pack under bun', { create: () => createMemoryPresenceStore(), numRuns: 50 });
