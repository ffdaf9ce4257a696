/**
 * The spec kit: certify any presence store, and the presence pack on it,
 * against the normative invariants of docs/SPEC.md, invariant by invariant.
 *
 * What is here: the certifiers and their report, the invariant catalog and
 * ids, the runner-agnostic test bindings (vitest's are in `/spec/vitest`),
 * fault injection, and, to test an app's presence without
 * `@absolutejs/sync`, the reference engine and a harness with a hand-moved
 * clock. The building blocks of the certifiers themselves (checks, models,
 * the property runner, the CLI as a function) are in `/spec/advanced`.
 *
 * @example
 * ```ts
 * import { createMemoryPresenceStore } from '@absolutejs/sync-pack-presence';
 * import { certifyPresenceStoreAndPack, formatReport } from '@absolutejs/sync-pack-presence/spec';
 *
 * const report = await certifyPresenceStoreAndPack({ create: () => createMemoryPresenceStore(), numRuns: 100 });
 * console.log(formatReport(report));
 * ```
 *
 * @module @absolutejs/sync-pack-presence/spec
 */
export {
  certifyPresenceStore,
  DEFAULT_NUM_RUNS,
  type CertificationReport,
  type CertifyFinished,
  type CertifyProgress,
  type CertifyStarted,
  type CertifyRunOptions,
  type CertifyStoreOptions,
  type InvariantResult,
} from './certify.js';
export { certifyPresencePack, certifyPresenceStoreAndPack, packInvariants, type CertifyPackOptions } from './pack/certify.js';
export type { Invariant, InvariantLevel, StoreFactory, StoreSubject } from './invariant.js';
export type { PackFactory, PackSubject } from './pack/subject.js';
export { storeInvariants } from './invariants.js';
export { STORE, type StoreInvariantId } from './store/ids.js';
export { PACK, type PackInvariantId } from './pack/ids.js';
export { formatFailure, formatProgress, formatReport, formatTable, replayOptions, type ReplayFormatter } from './report.js';
export {
  definePresenceStoreTests,
  definePresencePackTests,
  invariantTestName,
  type PresenceStoreTestOptions,
  type PresencePackTestOptions,
  type SuiteFunction,
  type TestFunction,
  type TestRunner,
} from './tests.js';
export { withFaults, type FaultOptions } from './faults.js';
export {
  createReferenceEngine,
  createInMemoryClusterBus,
  type ClusterBus,
  type ClusterChange,
  type ClusterMessage,
  type RowChange,
  type CollectionInfo,
  type EngineInspection,
  type RecentChange,
  type ReferenceEngine,
  type ReferenceEngineOptions,
  type RegisteredPack,
  type ScheduleInfo,
  type SubscribeArgs,
  type Subscription,
  type ViewDiff,
} from './engine.js';
export {
  createPresenceHarness,
  createManualClock,
  type ManualClock,
  type PresenceClient,
  type PresenceHarness,
  type PresenceHarnessOptions,
  type HarnessPackConfig,
  type LeaveOutcome,
  type PresenceView,
} from './harness.js';
