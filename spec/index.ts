/**
 * The spec kit (`./spec`): certify any presence store against the normative
 * invariants, invariant by invariant.
 *
 * @module
 */
export {
  certifyPresenceStore,
  runCertification,
  DEFAULT_NUM_RUNS,
  type CertificationReport,
  type CertifyFinished,
  type CertifyProgress,
  type CertifyStarted,
  type CertifyRunOptions,
  type CertifyStoreOptions,
  type InvariantResult,
} from './certify.js';
export { runCertifyCli, CLI_USAGE, type CliIo } from './cli.js';
export { deepEqual, sameRows } from './equal.js';
export { withFaults, type FaultOptions } from './faults.js';
export type {
  CheckFamily,
  CheckOutcome,
  CheckSettings,
  Invariant,
  InvariantCheck,
  InvariantLevel,
  StoreCheck,
  StoreCheckFamily,
  StoreFactory,
  StoreSubject,
} from './invariant.js';
export { catalogOf, checksOf, findInvariant, storeChecks, storeFamilies, storeInvariants } from './invariants.js';
export { PresenceModel, lastWriterWins } from './model.js';
export { formatFailure, formatProgress, formatReport, formatTable, replayOptions, type ReplayFormatter } from './report.js';
export { runProperty } from './run-property.js';
export { STORE, type StoreInvariantId } from './store/ids.js';
export {
  definePresenceStoreTests,
  invariantTestName,
  type PresenceStoreTestOptions,
  type SuiteFunction,
  type TestFunction,
  type TestRunner,
  definePresencePackTests,
  type PresencePackTestOptions,
} from './tests.js';
export {
  allChecks,
  certifyPresencePack,
  certifyPresenceStoreAndPack,
  packChecks,
  packInvariants,
  type CertifyPackOptions,
} from './pack/certify.js';
export { packFamilies, type PackCheckFamily } from './pack/families.js';
export { PACK, type PackInvariantId } from './pack/ids.js';
export type { PackCheck } from './pack/model-based.js';
export type { PackFactory, PackSubject } from './pack/subject.js';
export { PackModel, type ModelCaller, type ModelOutcome, type ModelSettings } from './pack/model.js';
export * from './engine.js';
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
