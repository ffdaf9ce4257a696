/**
 * `@absolutejs/sync-pack-presence`: per-channel live presence for
 * `@absolutejs/sync`, on a pure clock-injected state machine and a pluggable,
 * certifiable store.
 *
 * @example
 * ```ts
 * import { createPresencePack, createMemoryPresenceStore } from '@absolutejs/sync-pack-presence';
 *
 * const pack = createPresencePack({
 *   prefix: 'docs_',
 *   getActorId: (ctx) => ctx.userId,
 *   scope: (ctx) => ctx.workspaceId,
 *   store: createMemoryPresenceStore(),
 * });
 * console.log(pack.names.heartbeat); // "docs_presence:heartbeat"
 * ```
 *
 * @module @absolutejs/sync-pack-presence
 */
export { createPresencePack, type PresencePack } from './pack.js';
export type { PresencePackConfig, PresenceLimits } from './config.js';
export type { PresenceStore, Admission, AdmissionLimits, LentRow } from './store.js';
export { presenceRowId, type PresenceRow, type PresenceIdentity, type PresenceState, type JsonValue, type ReadonlyJsonValue } from './row.js';
export {
  PresenceError,
  PresenceConfigError,
  presenceErrorCode,
  type PresenceErrorCode,
  type PresenceConfigErrorCode,
} from './errors.js';
export { createMemoryPresenceStore, createInMemoryPresenceStore } from './stores/memory.js';
export {
  adaptLegacyPresenceStore,
  isLegacyPresenceStore,
  type LegacyPresenceStore,
  type LegacyPresenceRow,
} from './stores/legacy.js';
export {
  isLive,
  isExpired,
  heartbeatRow,
  patchedRow,
  cursorPatch,
  typingPatch,
  isCurrentlyTyping,
  rowsToLeave,
  isVisibleTo,
  isWritableBy,
  refusedAdmission,
} from './machine.js';
export { presenceNames, type PresenceNames } from './names.js';
export type { PresenceParams } from './surfaces/collection.js';
export type { LeaveResult } from './surfaces/mutations.js';
export type * from './contract.js';
