/**
 * `certifyPresencePack`: the presence pack (or another implementation of it)
 * on a given store, checked invariant by invariant through the reference
 * engine with live subscriptions.
 *
 * @module
 */
import { runCertification, type CertificationReport, type CertifyRunOptions } from '../certify.js';
import type { PresenceStore } from '../../src/store.js';
import type { Invariant, InvariantCheck } from '../invariant.js';
import { checksOf, storeChecks } from '../invariants.js';
import { packFamilies } from './families.js';
import type { PackCheck } from './model-based.js';
import type { PackSubject } from './subject.js';

/** Every pack check, in report order. */
export const packChecks: readonly PackCheck[] = checksOf(packFamilies);

/** The pack invariants, in report order. */
export const packInvariants: readonly Invariant[] = packChecks.map((check) => check.invariant);

/** Options of {@link certifyPresencePack}: the store (of your store's type `Store`), optionally a pack factory, and how to run. */
export interface CertifyPackOptions<Store extends PresenceStore = PresenceStore> extends PackSubject<Store>, CertifyRunOptions {}

/**
 * Certifies the presence pack on a store: scope isolation, actor-only writes,
 * TTL monotonicity, expired rows invisible, views converging after cleanup,
 * the channel gate, bad input, store faults and prefix isolation.
 *
 * @example
 * ```ts
 * import { certifyPresencePack } from '@absolutejs/sync-pack-presence/spec';
 * import { createMemoryPresenceStore } from '@absolutejs/sync-pack-presence';
 *
 * const report = await certifyPresencePack({ create: () => createMemoryPresenceStore() });
 * console.log(report.passed);
 * ```
 */
export const certifyPresencePack = <Store extends PresenceStore>(options: CertifyPackOptions<Store>): Promise<CertificationReport> =>
  certifyWith(packChecks, options);

/** Every store check, then every pack check: the full certification of a store and the pack on it. */
export const allChecks: readonly InvariantCheck<PackSubject>[] = [...storeChecks, ...packChecks];

/** Certifies a store and the presence pack on it in one report (what `presence-certify --pack` runs). */
export const certifyPresenceStoreAndPack = <Store extends PresenceStore>(options: CertifyPackOptions<Store>): Promise<CertificationReport> =>
  certifyWith(allChecks, options);

const certifyWith = <Store extends PresenceStore>(checks: readonly InvariantCheck<PackSubject>[], options: CertifyPackOptions<Store>): Promise<CertificationReport> => {
  const { create, destroy, createPack, ...run } = options;
  const subject: PackSubject<Store> = { create, ...(destroy === undefined ? {} : { destroy }), ...(createPack === undefined ? {} : { createPack }) };
  return runCertification<PackSubject>(checks, subject, run);
};
