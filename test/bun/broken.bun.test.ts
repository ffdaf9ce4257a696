// Run by `bun test` (from test/bun.test.ts), expected to FAIL: a store whose
// sweep uses `<` must fail its STORE-SWEEP test and only that one.
import { describePresenceStore } from '../../dist/spec/vitest.js';
import { sweepStrict } from '../zoo/sweep-strict.js';

describePresenceStore('sweep-strict under bun', { create: sweepStrict.create, only: ['STORE-SWEEP', 'STORE-LWW'] });
