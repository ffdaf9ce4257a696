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
import { resolveSettings, type PresenceSettings } from './settings.js';
import type { PresenceStore } from './store.js';
import { presenceCleanup } from './surfaces/cleanup.js';
import { presenceCollection } from './surfaces/collection.js';
import { presenceMutations } from './surfaces/mutations.js';
import { presencePermissions, presenceReader, presenceSchema, presenceWriter } from './surfaces/tables.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';
import { createViewIndex, type ViewIndex } from './view-index.js';

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
  // What this node's views may hold; one cleanup run reconciles at most cleanupBatchSize channels.
  return assemblePresencePack(settings, createViewIndex(settings.cleanupBatchSize));
};

/**
 * The pack's surfaces over resolved settings and one view index: what
 * {@link createPresencePack} returns. Internal (not exported by the package):
 * the kit's broken packs rebuild the real pack around an index they can reach.
 *
 * @param settings - the resolved settings
 * @param index - this instance's view index
 * @returns the pack
 */
export const assemblePresencePack = <Ctx>(settings: PresenceSettings<Ctx>, index: ViewIndex): PresencePack => {
  const names = presenceNames(settings.prefix);
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
