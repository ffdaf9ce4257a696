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
import type { ViewIndex } from '../view-index.js';

/** Subscription params. */
export interface PresenceParams {
  /** The channel to watch. */
  channel: string;
}

/**
 * Builds the collection; `match` keeps it incremental (one table, a predicate).
 *
 * The engine hands the same params object to `authorize`, `hydrate` and
 * `match`, so the channel is read from it once, when it is authorized, and
 * remembered by object: a getter or proxy that names an allowed channel to
 * the gate cannot name another one to the store or to `match`. Params never
 * authorized here are parsed (and, to hydrate, gated) again.
 *
 * `hydrate` and `match` also tell the pack's view index what this node's
 * views may hold: the engine calls `match` for every change it fans out, a
 * peer's included, against every subscription.
 */
export const presenceCollection = <Ctx>(
  settings: PresenceSettings<Ctx>,
  names: PresenceNames,
  index: ViewIndex,
): CollectionDefinition<PresenceRow, PresenceParams, Ctx> => {
  const authorized = new WeakMap<object, string>();
  const gate = async (params: unknown, ctx: Ctx): Promise<string> => {
    const { channel } = parseParams(params, settings);
    scopeOf(settings, ctx);
    await assertChannelAccess(settings, channel, ctx);
    authorized.set(params as object, channel);
    return channel;
  };
  const channelOf = (params: unknown, ctx: Ctx): string | Promise<string> =>
    (typeof params === 'object' && params !== null && authorized.get(params)) || gate(params, ctx);
  return {
    name: names.collection,
    tables: [names.table],
    key: (row) => row.id,
    // Throws a PresenceError (bad params, bad scope, denied) so the caller learns why.
    async authorize(params, ctx) {
      await gate(params, ctx);
      return true;
    },
    async hydrate(params, ctx) {
      const channel = await channelOf(params, ctx);
      const scope = scopeOf(settings, ctx);
      const rows = await settings.store.channel(scope, channel, settings.now());
      index.hydrated(scope, channel, rows);
      return rows;
    },
    match: (row, params, ctx) =>
      holds(() => {
        const scope = scopeOf(settings, ctx);
        const channel = authorized.get(params) ?? parseParams(params, settings).channel;
        const visible = isVisibleTo(row, scope, channel, settings.now());
        if (visible) {
          index.hold(row);
          return true;
        }
        index.watch(scope, channel);
        // A row of this channel the views must not show (expired, or a late stale copy): they drop it.
        if (row.scope === scope && row.channel === channel) index.forget(row);
        return false;
      }),
  };
};
