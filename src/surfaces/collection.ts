/**
 * The per-channel collection: subscribe with `{ channel }`, see the live
 * members of that channel in your own scope.
 *
 * @module
 */
import type { CollectionDefinition } from '../contract.js';
import { parseParams } from '../args.js';
import { assertChannelAccess, holds, scopeOf } from '../caller.js';
import { isVisibleTo } from '../machine.js';
import type { PresenceNames } from '../names.js';
import type { PresenceRow } from '../row.js';
import type { PresenceSettings } from '../settings.js';

/** Subscription params. */
export interface PresenceParams {
  /** The channel to watch. */
  channel: string;
}

/** Builds the collection; `match` keeps it incremental (one table, a predicate). */
export const presenceCollection = <Ctx>(
  settings: PresenceSettings<Ctx>,
  names: PresenceNames,
): CollectionDefinition<PresenceRow, PresenceParams, Ctx> => ({
  name: names.collection,
  tables: [names.table],
  key: (row) => row.id,
  // Throws a PresenceError (bad params, bad scope, denied) so the caller learns why.
  async authorize(params, ctx) {
    const { channel } = parseParams(params, settings);
    scopeOf(settings, ctx);
    await assertChannelAccess(settings, channel, ctx);
    return true;
  },
  async hydrate(params, ctx) {
    const { channel } = parseParams(params, settings);
    return settings.store.channel(scopeOf(settings, ctx), channel, settings.now());
  },
  match: (row, params, ctx) => holds(() => isVisibleTo(row, scopeOf(settings, ctx), params.channel, settings.now())),
});
