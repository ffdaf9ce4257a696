/**
 * Prefix naming: every table, collection, mutation and schedule name carries
 * the pack's prefix, so two prefixed packs on one engine share nothing.
 *
 * @module
 */

/** The names one pack instance registers. */
export interface PresenceNames {
  /** Owned table, also the collection name: `<prefix>presence`. */
  table: string;
  /** Collection: `<prefix>presence`, params `{ channel }`. */
  collection: string;
  /** Mutation `<prefix>presence:heartbeat`. */
  heartbeat: string;
  /** Mutation `<prefix>presence:leave`. */
  leave: string;
  /** Mutation `<prefix>presence:cursor`. */
  cursor: string;
  /** Mutation `<prefix>presence:typing`. */
  typing: string;
  /** Schedule `<prefix>presence:cleanup`. */
  cleanup: string;
}

/** The names of a pack with this prefix (`''` for none). */
export const presenceNames = (prefix: string): PresenceNames => {
  const table = `${prefix}presence`;
  return {
    table,
    collection: table,
    heartbeat: `${table}:heartbeat`,
    leave: `${table}:leave`,
    cursor: `${table}:cursor`,
    typing: `${table}:typing`,
    cleanup: `${table}:cleanup`,
  };
};
