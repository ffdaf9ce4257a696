/**
 * The invariant catalog: every rule the kit certifies, with a stable id, a
 * level and one line. It is composed, not written: each family module owns its
 * invariants and their properties, and this index lists the families. Pack
 * families (`PACK-*`) compose the same way through {@link catalogOf}.
 *
 * @module
 */
import type { CheckFamily, Invariant, StoreCheck, StoreCheckFamily } from './invariant.js';
import { admissionFamily } from './store/admission.js';
import { basicsFamily } from './store/basics.js';
import { copiesFamily } from './store/copies.js';
import { expiryFamily } from './store/expiry.js';
import { identityFamily } from './store/identity.js';
import { lendFamily } from './store/lend.js';
import { lwwFamily } from './store/lww.js';
import { racesFamily } from './store/races.js';

/** The store families, in report order. */
export const storeFamilies: readonly StoreCheckFamily[] = [
  basicsFamily,
  lwwFamily,
  expiryFamily,
  identityFamily,
  copiesFamily,
  racesFamily,
  admissionFamily,
  lendFamily,
];

/** Every check of the given families, in order; throws if two share an id. */
export const checksOf = <Subject>(families: readonly CheckFamily<Subject>[]): CheckFamily<Subject>['checks'] => {
  const checks = families.flatMap((family) => family.checks);
  const seen = new Set<string>();
  for (const { invariant } of checks) {
    if (seen.has(invariant.id)) throw new Error(`Invariant id ${invariant.id} is defined twice`);
    seen.add(invariant.id);
  }
  return checks;
};

/** The invariants of the given families, in order. */
export const catalogOf = (families: readonly CheckFamily<never>[]): Invariant[] =>
  checksOf(families).map((check) => check.invariant);

/** Every store check, in report order. */
export const storeChecks: readonly StoreCheck[] = checksOf(storeFamilies);

/** The store invariants, in report order. */
export const storeInvariants: readonly Invariant[] = storeChecks.map((check) => check.invariant);

/** The invariant with this id among `catalog`, or `undefined`. */
export const findInvariant = (id: string, catalog: readonly Invariant[] = storeInvariants): Invariant | undefined =>
  catalog.find((invariant) => invariant.id === id);
