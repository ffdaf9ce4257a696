/**
 * The stable ids of the pack invariants.
 *
 * @module
 */

/** Pack invariant ids; reports, docs and tests cite these strings. */
export const PACK = {
  /** Every command leaves the store as the model says. */
  semantics: 'PACK-SEMANTICS',
  /** No row crosses a scope. */
  scope: 'PACK-SCOPE',
  /** A caller only changes its own rows. */
  actor: 'PACK-ACTOR',
  /** expiresAt never decreases. */
  ttl: 'PACK-TTL',
  /** Expired rows are invisible. */
  expired: 'PACK-EXPIRED',
  /** Views equal the model after cleanup. */
  converge: 'PACK-CONVERGE',
  /** The channel gate holds. */
  acl: 'PACK-ACL',
  /** Malformed args are rejected. */
  input: 'PACK-INPUT',
  /** Prefixed packs share nothing. */
  prefix: 'PACK-PREFIX',
  /** A failing store never half-writes. */
  faults: 'PACK-FAULTS',
  /** A heartbeat racing cleanup is never lost. */
  raceCleanup: 'PACK-RACE-CLEANUP',
  /** A patch racing a leave never brings the row back. */
  racePatchLeave: 'PACK-RACE-PATCH-LEAVE',
  /** Cleanup retries an unavailable store, and nothing else. */
  cleanupRetry: 'PACK-CLEANUP-RETRY',
  /** Views on every node converge, whatever the cluster bus loses. */
  cluster: 'PACK-CLUSTER',
} as const;

/** One of the pack invariant ids. */
export type PackInvariantId = (typeof PACK)[keyof typeof PACK];
