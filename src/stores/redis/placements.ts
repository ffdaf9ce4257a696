/**
 * The Redis store's memory of where recently written ids live: a renewal of
 * a remembered id with the same four identity parts skips `presenceRowId`,
 * the channel JSON, the shard hash, the key concatenation and the value's
 * identity JSON, which are most
 * of a heartbeat's client cost after the socket write. Bounded: past `limit`
 * ids it starts over, so a forgotten id only pays the encoding again.
 *
 * @module
 */
import { sameIdentity, type PresenceIdentity } from '../../row.js';
import { channelJson, valueHead, type ShardKeys } from './codec.js';

/** Where one id lives. */
export interface Placement extends PresenceIdentity {
  /** `JSON.stringify([scope, channel])`. */
  readonly channelJson: string;
  /** The keys of its shard. */
  readonly keys: ShardKeys;
  /** The channel's sorted set. */
  readonly channelKey: string;
  /** The start of its stored value's channel and body parts (`valueHead`). */
  readonly valueHead: string;
  /** What every id of its actor in its channel starts with: JSON of `[scope, channel, actorId,`. */
  readonly actorPrefix: string;
  /** The UTF-8 byte length of `actorPrefix`, as text: how the write script cuts it from the id. */
  readonly actorPrefixBytes: string;
}

/** Remembered placements by id. */
export interface Placements {
  /** The remembered identity of `id`, if any (what `checkedRow` accepts as checked). */
  known(id: string): PresenceIdentity | undefined;
  /** The placement of a row whose id is checked, remembered for its next write. */
  of(row: PresenceIdentity & { readonly id: string }): Placement;
}

/**
 * Creates an empty memory.
 *
 * @param limit - ids remembered at most
 * @param keysOfChannel - the shard keys of a channel JSON
 * @returns the memory
 */
export const createPlacements = (limit: number, keysOfChannel: (channel: string) => ShardKeys): Placements => {
  const byId = new Map<string, Placement>();
  return {
    known: (id) => byId.get(id),
    of: (row) => {
      const known = byId.get(row.id);
      if (known !== undefined && sameIdentity(known, row)) return known;
      if (byId.size >= limit) byId.clear();
      const json = channelJson(row.scope, row.channel);
      const keys = keysOfChannel(json);
      const actorPrefix = `${JSON.stringify([row.scope, row.channel, row.actorId]).slice(0, -1)},`;
      const placement: Placement = {
        scope: row.scope,
        channel: row.channel,
        actorId: row.actorId,
        sessionId: row.sessionId,
        channelJson: json,
        keys,
        channelKey: keys.channelPrefix + json,
        valueHead: valueHead(json, row.actorId, row.sessionId),
        actorPrefix,
        actorPrefixBytes: String(Buffer.byteLength(actorPrefix)),
      };
      byId.set(row.id, placement);
      return placement;
    },
  };
};
