/**
 * The stable ids of the pack invariants.
 *
 * @module
 */

/** Pack invariant ids; reports, docs and tests cite these strings. */
export const PACK = {
  semantics: 'PACK-SEMANTICS',
  scope: 'PACK-SCOPE',
  actor: 'PACK-ACTOR',
  ttl: 'PACK-TTL',
  expired: 'PACK-EXPIRED',
  converge: 'PACK-CONVERGE',
  acl: 'PACK-ACL',
  input: 'PACK-INPUT',
  prefix: 'PACK-PREFIX',
  faults: 'PACK-FAULTS',
} as const;

/** One of the pack invariant ids. */
export type PackInvariantId = (typeof PACK)[keyof typeof PACK];
