/**
 * The Lua scripts of the Redis store. Each runs atomically inside one shard's
 * hash slot; together they are the only way the store touches Redis.
 *
 * Stored value of a row (hash field = row id): `<heartbeatAt>\n<channel JSON>\n<body JSON>`,
 * where channel JSON is `JSON.stringify([scope, channel])` and body JSON is
 * `JSON.stringify([actorId, sessionId, state])`. JSON never contains a raw
 * newline, so the two separators are unambiguous; Lua reads only the
 * `heartbeatAt` prefix and the channel part, and never decodes the state
 * (cjson would renumber and reorder it).
 *
 * @module
 */
import { createHash } from 'node:crypto';

/** One script: its source and the SHA-1 that `EVALSHA` names it by. */
export interface RedisScript {
  /** Lua source. */
  readonly source: string;
  /** Hex SHA-1 of the source. */
  readonly sha: string;
  /** How many leading arguments are keys. */
  readonly keys: number;
}

/**
 * The error code the merge scripts reply with when the server lacks
 * `ZADD GT` (Redis older than 6.2).
 */
export const REDIS_TOO_OLD = 'PRESENCE_REDIS_TOO_OLD';

const script = (keys: number, source: string): RedisScript => ({
  source,
  keys,
  sha: createHash('sha1').update(source).digest('hex'),
});

/**
 * The insert-or-merge every write script shares, as the Lua function
 * `merge(rows, expiry, channel, id, expiresAt, value, onlyIfExists)`. The
 * incoming `heartbeatAt` is the value's prefix, so it is not sent twice. Four
 * commands on a renewal: `HGET`, `ZADD GT CH` (keeps the larger expiry and
 * says whether it moved, Redis >= 6.2), `HSET`, and the channel's `ZADD` only
 * when the expiry moved. The expiry `ZADD` runs before any write, so on an
 * older Redis it fails with nothing written. The reply is as short as the
 * outcome allows, because the caller already holds the incoming row:
 *
 * - `1`: the incoming row is stored as sent;
 * - a string: the incoming value is stored, under this larger stored expiry;
 * - `{value, expiresAt}`: the stored value is newer and stays;
 * - nil: `onlyIfExists` and no such row.
 */
const MERGE = `local function merge(rk, ek, ck, id, ex, value, only)
  local cur = redis.call('HGET', rk, id)
  if not cur and only == '1' then return false end
  local won = not cur or tonumber(string.sub(value, 1, string.find(value, '\\n', 1, true) - 1)) >= tonumber(string.sub(cur, 1, string.find(cur, '\\n', 1, true) - 1))
  local grew = redis.pcall('ZADD', ek, 'GT', 'CH', ex, id)
  if type(grew) == 'table' then return redis.error_reply('${REDIS_TOO_OLD} ' .. tostring(grew.err)) end
  if won then redis.call('HSET', rk, id, value) end
  if grew == 1 then redis.call('ZADD', ck, ex, id) end
  if won then
    if grew == 1 then return 1 end
    return redis.call('ZSCORE', ek, id)
  end
  if grew == 1 then return {cur, ex} end
  return {cur, redis.call('ZSCORE', ek, id)}
end
`;

/**
 * A heartbeat's write as the Lua function `admit(rows, expiry, channel, id,
 * expiresAt, value, maxMembers, maxSessionsPerActor, actorPrefix)`: when the
 * id is not live at the value's heartbeatAt, counts the channel's other live
 * members and those whose id starts with the actor's prefix, and returns
 * `{limit, count, 'refused'}` at a limit (nothing written); otherwise merges
 * as {@link MERGE}. One script, so no join can land between the count and
 * the write.
 */
const ADMIT_ROW = `local function admit(rk, ek, ck, id, ex, value, maxMembers, maxSessions, prefix)
  local ex0 = redis.call('ZSCORE', ek, id)
  local at = string.sub(value, 1, string.find(value, '\\n', 1, true) - 1)
  if not ex0 or tonumber(ex0) <= tonumber(at) then
    local ids = redis.call('ZRANGEBYSCORE', ck, '(' .. at, '+inf')
    local members, mine = 0, 0
    for i = 1, #ids do
      if ids[i] ~= id then
        members = members + 1
        if string.sub(ids[i], 1, #prefix) == prefix then mine = mine + 1 end
      end
    end
    if members >= tonumber(maxMembers) then return {'channel', tostring(members), 'refused'} end
    if mine >= tonumber(maxSessions) then return {'actor', tostring(mine), 'refused'} end
  end
  return merge(rk, ek, ck, id, ex, value, '0')
end
`;

/**
 * Insert or merge (KEYS: rows, expiry, channel; ARGV: id, expiresAt, value,
 * onlyIfExists or nothing). Incoming value wins iff its heartbeatAt is not
 * older; expiresAt only grows. Replies as {@link MERGE} describes.
 */
export const UPSERT = script(3, `${MERGE}return merge(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], ARGV[4])`);

/**
 * A heartbeat's write (KEYS: rows, expiry, channel; ARGV: id, expiresAt,
 * value, maxMembers, maxSessionsPerActor, the actor's id prefix), as
 * {@link ADMIT_ROW} describes.
 */
export const ADMIT = script(3, `${MERGE}${ADMIT_ROW}return admit(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6])`);

/** What a row of {@link WRITE_MANY} is: its first argument. */
export const ROW_KIND = { upsert: 'u', update: 'x', admit: 'a' } as const;

/**
 * Several writes in one script, run in the order given, so
 * each row's reply is what its own UPSERT or ADMIT would have replied had
 * the writes run one by one in that order (the same id twice merges twice; a
 * join's count sees the rows admitted before it). KEYS: rows, expiry and
 * channel of each row in turn (all of one slot on a Cluster; any shards on a
 * standalone server). ARGV per row: its {@link ROW_KIND}, id,
 * expiresAt, value, and for an admit maxMembers, maxSessionsPerActor and the
 * actor prefix. Replies with an array of one reply per row. Each row runs
 * under `pcall`: a command the server refuses (a key of the wrong type under
 * the prefix) fails only that row, which replies with the error, exactly
 * what the row alone would have done; on a server without `ZADD GT` every
 * row replies the error, and nothing is written.
 */
export const WRITE_MANY = script(
  0,
  `${MERGE}${ADMIT_ROW}local out, a = {}, 1
for i = 1, #KEYS / 3 do
  local rk, ek, ck, kind = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i], ARGV[a]
  local ok, res
  if kind == '${ROW_KIND.admit}' then
    ok, res = pcall(admit, rk, ek, ck, ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5], ARGV[a + 6])
    a = a + 7
  else
    ok, res = pcall(merge, rk, ek, ck, ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], kind == '${ROW_KIND.update}' and '1' or '0')
    a = a + 4
  end
  if ok then out[i] = res else out[i] = redis.error_reply(type(res) == 'table' and tostring(res.err) or tostring(res)) end
end
return out`,
);

/** One row (KEYS: rows, expiry; ARGV: id). Returns `{value, expiresAt}` or nil. */
export const GET = script(
  2,
  `local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then return false end
return {cur, redis.call('ZSCORE', KEYS[2], ARGV[1])}`,
);

/** Delete one row (KEYS: rows, expiry, channel; ARGV: id). Returns `{value, expiresAt}` or nil. */
export const REMOVE = script(
  3,
  `local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then return false end
local ex = redis.call('ZSCORE', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return {cur, ex}`,
);

/**
 * Live members of one channel (KEYS: channel, rows; ARGV: exclusive lower
 * bound `(now`). Returns flat `id, value, expiresAt` triples.
 */
export const CHANNEL = script(
  2,
  `local ids = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], '+inf', 'WITHSCORES')
local out = {}
for i = 1, #ids, 2 do
  local cur = redis.call('HGET', KEYS[2], ids[i])
  if cur then
    out[#out + 1] = ids[i]
    out[#out + 1] = cur
    out[#out + 1] = ids[i + 1]
  end
end
return out`,
);

/** How many rows of one shard are expired (KEYS: expiry; ARGV: now). */
export const COUNT_EXPIRED = script(1, `return redis.call('ZCOUNT', KEYS[1], '-inf', ARGV[1])`);

/**
 * The earliest expired `id, expiresAt` pairs of one shard, oldest first
 * (KEYS: expiry; ARGV: now, limit). Read-only: used to pick which shards a
 * bounded sweep takes rows from.
 */
export const PEEK_EXPIRED = script(
  1,
  `return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))`,
);

/**
 * Delete and return up to `limit` expired rows of one shard, oldest first
 * (KEYS: rows, expiry; ARGV: now, limit, channel key prefix of the shard).
 * Expiry is re-read inside the script, so a row renewed before it runs is
 * never taken, and a row is deleted by exactly one caller. The channel key is
 * rebuilt from the stored value: it lives in the same slot (same hash tag).
 * Returns flat `id, value, expiresAt` triples.
 */
export const SWEEP = script(
  2,
  `local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for i = 1, #ids, 2 do
  local id = ids[i]
  local cur = redis.call('HGET', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
  if cur then
    redis.call('HDEL', KEYS[1], id)
    local a = string.find(cur, '\\n', 1, true)
    local b = string.find(cur, '\\n', a + 1, true)
    redis.call('ZREM', ARGV[3] .. string.sub(cur, a + 1, b - 1), id)
    out[#out + 1] = id
    out[#out + 1] = cur
    out[#out + 1] = ids[i + 1]
  end
end
return out`,
);

/**
 * One page of a shard's rows (KEYS: rows, expiry; ARGV: HSCAN cursor, count).
 * Returns the next cursor followed by flat `id, value, expiresAt` triples.
 */
export const ROWS_PAGE = script(
  2,
  `local page = redis.call('HSCAN', KEYS[1], ARGV[1], 'COUNT', tonumber(ARGV[2]))
local out = {page[1]}
local kv = page[2]
for i = 1, #kv, 2 do
  local ex = redis.call('ZSCORE', KEYS[2], kv[i])
  if ex then
    out[#out + 1] = kv[i]
    out[#out + 1] = kv[i + 1]
    out[#out + 1] = ex
  end
end
return out`,
);
