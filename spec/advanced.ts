/**
 * The certifiers' building blocks, for writing your own checks or your own
 * certifier on the kit's engine: the check families and catalogs, the
 * reference models, the property runner, row comparison, the reference
 * engine's error classes and retry helpers, and `presence-certify` as a
 * function. A store author needs none of it: `/spec` has the certifiers.
 * These shapes may change in a minor release; `/spec` follows semver.
 *
 * @module @absolutejs/sync-pack-presence/spec/advanced
 */
export { runCertification } from './certify.js';
export type { CheckFamily, CheckOutcome, CheckSettings, InvariantCheck, StoreCheck, StoreCheckFamily } from './invariant.js';
export { catalogOf, checksOf, findInvariant, storeChecks, storeFamilies } from './invariants.js';
export { allChecks, packChecks } from './pack/certify.js';
export { packFamilies, type PackCheckFamily } from './pack/families.js';
export type { PackCheck } from './pack/model-based.js';
export { runProperty } from './run-property.js';
export { PresenceModel, lastWriterWins } from './model.js';
export { PackModel, type ModelCaller, type ModelOutcome, type ModelSettings } from './pack/model.js';
export { deepEqual, sameRows } from './equal.js';
// The reference engine's error classes, as its methods throw them.
export * from './engine/errors.js';
export { exponentialBackoff, isSerializationFailure, type ExponentialBackoffOptions } from './engine/retry.js';
export { runCertifyCli, CLI_USAGE, type CliIo } from './cli.js';
