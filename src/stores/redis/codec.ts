/**
 * How the Redis store places and encodes rows: the shard of a channel, the
 * key names, and the stored value of a row. Pure functions, no I/O.
 *
 * @module
 */
import { PresenceError } from '../../errors.js';
import { checkTime } from '../row-check.js';
import { presenceRowId, type PresenceRow, type PresenceState } from '../../row.js';

/**
 * The shard of a channel: 32-bit FNV-1a over the UTF-16 code units of
 * `JSON.stringify([scope, channel])`, modulo the shard count. Part of the data
 * layout: changing it (or the shard count) relocates every channel.
 *
 * @param channelJson - `JSON.stringify([scope, channel])`
 * @param shards - the shard count
 * @returns the shard index, `0 <= n < shards`
 */
export const shardOf = (channelJson: string, shards: number): number => {
  let hash = 0x811c9dc5;
  for (let index = 0; index < channelJson.length; index += 1) {
    hash = Math.imul(hash ^ channelJson.charCodeAt(index), 0x01000193) >>> 0;
  }
  return hash % shards;
};

/** The key names of one shard; every one carries the shard's hash tag. */
export interface ShardKeys {
  /** Hash: row id → stored value. */
  readonly rows: string;
  /** Sorted set: row id → the expiry it was filed under (the shard's expiry index; a lower bound of the row's). */
  readonly expiry: string;
  /** Prefix of the shard's channel keys; append the channel JSON. */
  readonly channelPrefix: string;
  /** The shard's number as text, what the write script rebuilds these keys from. */
  readonly shard: string;
}

/**
 * The keys of shard `n` under a prefix.
 *
 * @param prefix - the store's `keyPrefix` (validated brace-free)
 * @param shard - the shard index
 * @returns its key names
 */
export const shardKeys = (prefix: string, shard: number): ShardKeys => ({
  rows: `${prefix}{${shard}}:rows`,
  expiry: `${prefix}{${shard}}:exp`,
  channelPrefix: `${prefix}{${shard}}:c:`,
  shard: String(shard),
});

/**
 * `JSON.stringify([scope, channel])`: names a channel injectively.
 *
 * @param scope - the scope
 * @param channel - the channel
 * @returns the channel JSON
 */
export const channelJson = (scope: string, channel: string): string => JSON.stringify([scope, channel]);

/**
 * The channel JSON of a row id, or `undefined` when the id is not one
 * `presenceRowId` makes (such an id is never stored).
 *
 * @param id - a row id
 * @returns the channel JSON of the identity the id encodes
 */
export const channelJsonOfId = (id: string): string | undefined => {
  let parts: unknown;
  try {
    parts = JSON.parse(id);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parts) || !parts.every((part) => typeof part === 'string')) return undefined;
  const identity = { scope: parts[0] as string, channel: parts[1] as string, actorId: parts[2] as string, sessionId: parts[3] as string };
  // Only the canonical spelling of exactly four parts is stored: `[ "a", ...]` with spaces is another id.
  return presenceRowId(identity) === id ? channelJson(identity.scope, identity.channel) : undefined;
};

/**
 * Formats a time for Redis and Lua: whole epoch milliseconds as decimal text.
 *
 * @param field - the row field, named in the error
 * @param value - epoch milliseconds
 * @returns the decimal text
 * @throws PresenceError `INVALID_ARGS` unless it is a safe integer
 */
export const formatTime = (field: string, value: number): string => {
  checkTime('redis', field, value);
  return String(value);
};

/**
 * What the stored value of every row of one identity starts its channel
 * part with, so a renewal encodes only its times and state.
 *
 * @param channel - `JSON.stringify([scope, channel])`
 * @param actorId - the row's actor
 * @param sessionId - the row's session
 * @returns `channel JSON \n [actorId, sessionId,` (the body JSON without its state and closing bracket)
 */
export const valueHead = (channel: string, actorId: string, sessionId: string): string => `${channel}\n${JSON.stringify([actorId, sessionId]).slice(0, -1)},`;

/**
 * The stored value of a row that `checkedRow` accepted (its id is the
 * canonical one and its times are safe integers).
 *
 * @param row - the checked incoming row
 * @param head - {@link valueHead} of its identity, which the caller already holds
 * @returns the hash value: `heartbeatAt \n expiresAt \n channel JSON \n [actorId, sessionId, state] JSON`
 */
export const encodeValue = (row: PresenceRow, head: string): string => `${row.heartbeatAt}\n${row.expiresAt}\n${head}${JSON.stringify(row.state)}]`;

/**
 * Rebuilds a row from its id and stored value.
 *
 * @param id - the hash field
 * @param value - the stored value
 * @returns the row
 */
export const decodeRow = (id: string, value: string): PresenceRow => {
  const first = value.indexOf('\n');
  const second = value.indexOf('\n', first + 1);
  const third = value.indexOf('\n', second + 1);
  const [scope, channel] = JSON.parse(value.slice(second + 1, third)) as [string, string];
  const [actorId, sessionId, state] = JSON.parse(value.slice(third + 1)) as [string, string, PresenceState];
  return { id, scope, channel, actorId, sessionId, state, expiresAt: Number(value.slice(first + 1, second)), heartbeatAt: Number(value.slice(0, first)) };
};
