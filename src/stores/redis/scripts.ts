/**
 * The Lua scripts of the Redis store. Each runs atomically inside one shard's
 * hash slot; together they are the only way the store touches Redis.
 *
 * Stored value of a row (hash field = row id):
 * `<heartbeatAt>\n<expiresAt>\n<channel JSON>\n<body JSON>`, where channel
 * JSON is `JSON.stringify([scope, channel])` and body JSON is
 * `JSON.stringify([actorId, sessionId, state])`. JSON never contains a raw
 * newline, so the three separators are unambiguous; Lua reads only the two
 * times and the channel part, and never decodes the state (cjson would
 * renumber and reorder it). The value holds the exact `expiresAt`; the
 * scores of the sorted sets are the expiry the row was filed under, never
 * above it (lazy filing: a renewal does not move them).
 *
 * No script needs a command newer than Redis 2.8 (`HSCAN`).
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

const script = (keys: number, source: string): RedisScript => ({
  source,
  keys,
  sha: createHash('sha1').update(source).digest('hex'),
});

/**
 * Lua helpers every script that reads a stored value shares: `split(v)`
 * returns the positions of the value's first three newlines, and
 * `expiry(v)` its exact `expiresAt` as text.
 */
const VALUE = `local function split(v)
  local a = string.find(v, '\\n', 1, true)
  local b = string.find(v, '\\n', a + 1, true)
  return a, b, string.find(v, '\\n', b + 1, true)
end
local function expiry(v)
  local a, b = split(v)
  return string.sub(v, a + 1, b - 1)
end
`;

/**
 * Where the row a write script is on keeps its keys, as Lua functions of
 * the current row: `expiryKey()` and `channelKey(value, b, c)` (the value's
 * channel part lies between its newlines `b` and `c`). In a call without
 * declared keys (a standalone server, where one call may span shards) they
 * are built from the key prefix and the row's shard, and the channel key
 * from the value itself, so a row sends neither; otherwise (a Cluster, whose
 * calls must declare every key, all in one slot) KEYS are the shard's rows
 * and expiry keys, then each row's channel key in turn.
 */
const KEYS_OF_ROW = `local derived = #KEYS == 0
local P, shard, row = ARGV[1], nil, 0
local function expiryKey()
  if derived then return P .. '{' .. shard .. '}:exp' end
  return KEYS[2]
end
local function channelKey(value, b, c)
  if derived then return P .. '{' .. shard .. '}:c:' .. string.sub(value, b + 1, c - 1) end
  return KEYS[2 + row]
end
`;

/**
 * The insert-or-merge of the write script, as the Lua function
 * `merge(rows, id, value, onlyIfExists, cur)`, where `cur` is the stored
 * value when the caller already read it (`false`: no row) and `nil`
 * otherwise. The incoming times are the value's prefix, so they are not
 * sent twice.
 *
 * - An insert files the row in both sorted sets under its exact expiry
 *   (the channel's set first: its key is the one another program may hold
 *   with the wrong type, and then nothing is written).
 * - A renewal is `HGET` + `HSET` and nothing else: the exact expiry lives in
 *   the value, and the sorted sets keep the score the row was filed under,
 *   a lower bound of it, until a sweep finds it due and re-files it.
 *
 * The incoming value wins iff its `heartbeatAt` is not older; the stored
 * expiry only grows. The reply is as short as the outcome allows, because
 * the caller already holds the incoming row:
 *
 * - `1`: the incoming row is stored as sent;
 * - a string: the incoming value is stored, under this larger stored expiry;
 * - `{value}`: the stored value is newer and stays (its expiry may have grown);
 * - nil: `onlyIfExists` and no such row.
 */
const MERGE = `${VALUE}${KEYS_OF_ROW}local function merge(rk, id, value, only, cur)
  if cur == nil then cur = redis.call('HGET', rk, id) end
  local a, b, c = split(value)
  local ex = string.sub(value, a + 1, b - 1)
  if not cur then
    if only == '1' then return false end
    redis.call('ZADD', channelKey(value, b, c), ex, id)
    redis.call('ZADD', expiryKey(), ex, id)
    redis.call('HSET', rk, id, value)
    return 1
  end
  local d, e = split(cur)
  local ex0 = string.sub(cur, d + 1, e - 1)
  if tonumber(string.sub(value, 1, a - 1)) >= tonumber(string.sub(cur, 1, d - 1)) then
    if tonumber(ex) >= tonumber(ex0) then
      redis.call('HSET', rk, id, value)
      return 1
    end
    redis.call('HSET', rk, id, string.sub(value, 1, a) .. ex0 .. string.sub(value, b))
    return ex0
  end
  if tonumber(ex) > tonumber(ex0) then
    cur = string.sub(cur, 1, d) .. ex .. string.sub(cur, e)
    redis.call('HSET', rk, id, cur)
  end
  return {cur}
end
`;

/**
 * A heartbeat's write as the Lua function `admit(rows, id, value,
 * maxMembers, maxSessionsPerActor, actorPrefixBytes)` (a limit of `''` is
 * none; the actor's prefix is the first `actorPrefixBytes` bytes of the id):
 * when the id is not live at the value's heartbeatAt, counts the channel's
 * other live members and those whose id starts with the actor's prefix, and
 * returns `{limit, count, 'refused'}` at a limit (nothing written);
 * otherwise merges as {@link MERGE}. A member filed above `heartbeatAt` is
 * live (its score is a lower bound of its expiry) and is counted unread;
 * only the members filed at or below it are read for their exact expiry,
 * and only the actor's own when even all of them could not reach
 * `maxMembers` (so a join far from the member limit reads a handful of
 * rows, not the channel). One script, so no join can land between the
 * count and the write.
 */
const ADMIT_ROW = `local function admit(rk, id, value, maxMembers, maxSessions, prefixBytes)
  local cur = redis.call('HGET', rk, id)
  local at = string.sub(value, 1, string.find(value, '\\n', 1, true) - 1)
  if not cur or tonumber(expiry(cur)) <= tonumber(at) then
    maxMembers = tonumber(maxMembers) or math.huge
    maxSessions = tonumber(maxSessions) or math.huge
    local prefix = string.sub(id, 1, tonumber(prefixBytes))
    local _, b, c = split(value)
    local ck = channelKey(value, b, c)
    local members, mine = 0, 0
    local function count(member)
      if member ~= id then
        members = members + 1
        if string.sub(member, 1, #prefix) == prefix then mine = mine + 1 end
      end
    end
    local ids = redis.call('ZRANGEBYSCORE', ck, '(' .. at, '+inf')
    for i = 1, #ids do count(ids[i]) end
    ids = redis.call('ZRANGEBYSCORE', ck, '-inf', at)
    -- Unless these could reach the member limit, only the actor's own sessions need their exact expiry.
    local anyone = members + #ids >= maxMembers
    for i = 1, #ids do
      if anyone or string.sub(ids[i], 1, #prefix) == prefix then
        local v = redis.call('HGET', rk, ids[i])
        if v and tonumber(expiry(v)) > tonumber(at) then count(ids[i]) end
      end
    end
    if members >= maxMembers then return {'channel', tostring(members), 'refused'} end
    if mine >= maxSessions then return {'actor', tostring(mine), 'refused'} end
  end
  return merge(rk, id, value, '0', cur)
end
`;

/** What a row of {@link WRITE} is: the first character of its head. */
export const ROW_KIND = { upsert: 'u', update: 'x', admit: 'a' } as const;

/**
 * Every write of the store (`upsert`, `update`, `admit`), one row or
 * several, run in the order given, so each row's reply is what it would
 * have replied had the writes run one by one in that order (the same id
 * twice merges twice; a join's count sees the rows admitted before it).
 * One script for all of them, so the calls of one lane share one SHA: a
 * server that lost it refuses them all alike (see `coalesce.ts`).
 *
 * KEYS: none (a standalone server), or the shard's rows and expiry keys and
 * then each row's channel key (see {@link KEYS_OF_ROW}). ARGV: the key
 * prefix (when KEYS are none), then per row its head ({@link ROW_KIND},
 * followed by the row's shard when KEYS are none), id, value, and for an
 * admit maxMembers, maxSessionsPerActor and the byte length of the actor's
 * id prefix ({@link ADMIT_ROW}).
 *
 * One row replies as {@link MERGE} (or ADMIT's refusal); several reply with
 * an array of one reply per row. Each row runs under `pcall`: a command the
 * server refuses (a key of the wrong type under the prefix) fails only that
 * row, which replies with the error, exactly what the row alone would have
 * done.
 */
export const WRITE = script(
  0,
  `${MERGE}${ADMIT_ROW}local a = derived and 2 or 1
local function rowsKey(head)
  if not derived then return KEYS[1] end
  shard = string.sub(head, 2)
  return P .. '{' .. shard .. '}:rows'
end
local head = ARGV[a]
local kind = string.sub(head, 1, 1)
-- One row (all its arguments, no more): its reply as is, an error raised as is (no pcall: the lone heartbeat's path).
if #ARGV == a + (kind == '${ROW_KIND.admit}' and 5 or 2) then
  row = 1
  if kind == '${ROW_KIND.admit}' then return admit(rowsKey(head), ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5]) end
  return merge(rowsKey(head), ARGV[a + 1], ARGV[a + 2], kind == '${ROW_KIND.update}' and '1' or '0')
end
local out = {}
while a <= #ARGV do
  row = row + 1
  head = ARGV[a]
  kind = string.sub(head, 1, 1)
  local ok, res
  if kind == '${ROW_KIND.admit}' then
    ok, res = pcall(admit, rowsKey(head), ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5])
    a = a + 6
  else
    ok, res = pcall(merge, rowsKey(head), ARGV[a + 1], ARGV[a + 2], kind == '${ROW_KIND.update}' and '1' or '0')
    a = a + 3
  end
  if ok then out[row] = res else out[row] = redis.error_reply(type(res) == 'table' and tostring(res.err) or tostring(res)) end
end
return out`,
);

/** One row's stored value (KEYS: rows; ARGV: id), or nil. */
export const GET = script(1, `return redis.call('HGET', KEYS[1], ARGV[1])`);

/** Delete one row (KEYS: rows, expiry, channel; ARGV: id). Returns its stored value, or nil. */
export const REMOVE = script(
  3,
  `local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then return false end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return cur`,
);

/**
 * Live members of one channel (KEYS: channel, rows; ARGV: now). Every member
 * is read (the value is the answer), and its exact expiry, not its filing
 * score, decides. Returns flat `id, value` pairs.
 */
export const CHANNEL = script(
  2,
  `${VALUE}local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
local now, out = tonumber(ARGV[1]), {}
for i = 1, #ids do
  local cur = redis.call('HGET', KEYS[2], ids[i])
  if cur and tonumber(expiry(cur)) > now then
    out[#out + 1] = ids[i]
    out[#out + 1] = cur
  end
end
return out`,
);

/**
 * Lua `due(rows, expiry, channelPrefix, id, now)` for an entry of the
 * shard's expiry set filed at or below `now`: re-files a row whose exact
 * expiry is later in both sorted sets under that expiry and returns nil;
 * returns the stored value of a row that is really expired, and its channel
 * key; drops an entry without a row. The channel key is rebuilt
 * from the stored value: it lives in the same slot (same hash tag).
 */
const DUE = `${VALUE}local function due(rk, ek, prefix, id, now)
  local cur = redis.call('HGET', rk, id)
  if not cur then
    redis.call('ZREM', ek, id)
    return nil
  end
  local a, b, c = split(cur)
  local ex = string.sub(cur, a + 1, b - 1)
  if tonumber(ex) <= now then return cur, prefix .. string.sub(cur, b + 1, c - 1) end
  redis.call('ZADD', ek, ex, id)
  redis.call('ZADD', prefix .. string.sub(cur, b + 1, c - 1), ex, id)
  return nil
end
`;

/**
 * How many entries of one shard's expiry set are due (KEYS: expiry; ARGV:
 * now): an upper bound of its expired rows, because a renewed row stays
 * filed under its old expiry until a sweep re-files it.
 */
export const COUNT_EXPIRED = script(1, `return redis.call('ZCOUNT', KEYS[1], '-inf', ARGV[1])`);

/**
 * The earliest-filed due `id, score` pairs of one shard (KEYS: expiry; ARGV:
 * now, limit). Read-only: used to pick which shards a bounded sweep takes
 * rows from.
 */
export const PEEK_EXPIRED = script(
  1,
  `return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))`,
);

/**
 * Delete and return up to `limit` expired rows of one shard, looking at no
 * more than `work` due entries (KEYS: rows, expiry; ARGV: now, limit,
 * channel key prefix of the shard, work). A due entry whose row was renewed
 * is re-filed (see {@link DUE}) and the script goes on, so the rows it
 * returns are exactly the first really expired ones it met. The exact
 * expiry is read inside the script, so a row renewed before it runs is
 * never taken, and a row is deleted by exactly one caller. Returns `'0'`
 * (no due entry is left) or `'1'` (it stopped at a bound), followed by flat
 * `id, value` pairs.
 */
export const SWEEP = script(
  2,
  `${DUE}local now, limit, work = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[4])
local out, taken, seen = {'1'}, 0, 0
while taken < limit and seen < work do
  local page = math.min(limit - taken, work - seen)
  local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, page)
  for i = 1, #ids do
    local id = ids[i]
    seen = seen + 1
    local cur, ck = due(KEYS[1], KEYS[2], ARGV[3], id, now)
    if cur then
      redis.call('HDEL', KEYS[1], id)
      redis.call('ZREM', KEYS[2], id)
      redis.call('ZREM', ck, id)
      taken = taken + 1
      out[#out + 1] = id
      out[#out + 1] = cur
    end
  end
  -- A short page was every due entry: each one left the range or was taken.
  if #ids < page then
    out[1] = '0'
    break
  end
end
return out`,
);

/**
 * One page of a shard's rows (KEYS: rows; ARGV: HSCAN cursor, count): the
 * `HSCAN` reply as is, the next cursor and flat `id, value` pairs.
 */
export const ROWS_PAGE = script(1, `return redis.call('HSCAN', KEYS[1], ARGV[1], 'COUNT', tonumber(ARGV[2]))`);
