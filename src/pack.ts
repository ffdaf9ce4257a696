/**
 * `createPresencePack(config)`: the pack one `engine.registerPack(...)` call
 * installs. This module only assembles surfaces; the decisions live in the
 * machine, the data in the store.
 *
 * @module
 */
import type { CollectionContext, SyncPack } from './contract.js';
import type { PresencePackConfig } from './config.js';
import { presenceNames, type PresenceNames } from './names.js';
import { resolveSettings } from './settings.js';
import type { PresenceStore } from './store.js';
import { presenceCleanup } from './surfaces/cleanup.js';
import { presenceCollection } from './surfaces/collection.js';
import { presenceMutations } from './surfaces/mutations.js';
import { presencePermissions, presenceReader, presenceSchema, presenceWriter } from './surfaces/tables.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';
import { createViewIndex } from './view-index.js';

/** A presence `SyncPack`, plus the names it registers and the store it writes. */
export interface PresencePack extends SyncPack {
  /** Every name this instance registers. */
  names: PresenceNames;
  /** The store behind the table (0.3 stores appear adapted). */
  store: PresenceStore;
}

/**
 * Creates a presence pack. Throws `PresenceConfigError` on a bad config.
 * Register each pack on one engine only: its cleanup reconciles what that
 * engine's views hold.
 *
 * @example
 * ```ts
 * import { createPresencePack } from '@absolutejs/sync-pack-presence';
 *
 * const pack = createPresencePack({
 *   getActorId: (ctx) => ctx.userId,
 *   scope: (ctx) => ctx.workspaceId,
 *   heartbeatTtlSec: 30,
 * });
 * // engine.registerPack(pack);
 * // client: runMutation('presence:heartbeat', { channel: 'doc:1', state: { name: 'Ada' } }, ctx)
 * ```
 */
export const createPresencePack = <Ctx = CollectionContext>(config: PresencePackConfig<Ctx> = {}): PresencePack => {
  const settings = resolveSettings(config);
  const names = presenceNames(settings.prefix);
  // What this node's views may hold; one cleanup run reconciles at most cleanupBatchSize channels.
  const index = createViewIndex(settings.cleanupBatchSize);
  return {
    name: PACKAGE_NAME,
    version: PACKAGE_VERSION,
    ownsTables: [names.table],
    schemas: { [names.table]: presenceSchema() },
    permissions: { [names.table]: presencePermissions(settings) },
    readers: { [names.table]: presenceReader(settings.store) },
    writers: { [names.table]: presenceWriter(settings) },
    collections: [presenceCollection(settings, names, index)],
    mutations: presenceMutations(settings, names, index),
    schedules: [presenceCleanup(settings, names, index)],
    names,
    store: settings.store,
  };
};
