/**
 * A {@link PresenceStore} on Redis (standalone or Cluster) through any
 * ioredis-compatible client. `ioredis` is an optional peer: this module only
 * needs a client with `evalsha` and `eval`.
 *
 * ## Layout
 *
 * Channels are spread over `shards` shards (default 128). The shard of a
 * channel is FNV-1a of `JSON.stringify([scope, channel])` modulo `shards`,
 * and every key of shard `n` carries the hash tag `{n}`, so all keys one
 * operation touches share one Cluster slot (a channel name with braces never
 * reaches the tag: only the first `{...}` of a key counts). Per shard `n`:
 *
 * | key | type | holds |
 * | --- | --- | --- |
 * | `<prefix>{n}:rows` | hash | row id → `heartbeatAt \n expiresAt \n [scope,channel] \n [actorId,sessionId,state]` |
 * | `<prefix>{n}:exp` | sorted set | row id → the expiry the row was filed under: the shard's expiry index |
 * | `<prefix>{n}:c:<[scope,channel]>` | sorted set | row id → the expiry the row was filed under: one channel's members |
 *
 * Lazy filing: the exact `expiresAt` lives in the hash value; the scores of
 * both sorted sets are lower bounds of it (the expiry when the row was
 * filed; a row's expiry only grows). An insert files the row under its
 * exact expiry; a renewal leaves the scores alone; a sweep that finds a
 * renewed row due re-files it under its exact expiry, once per filing.
 *
 * Every operation is one Lua script, in one slot on a Cluster, so each is
 * atomic, and no operation can raise `CROSSSLOT`:
 *
 * - `upsert` / `update`: one script, O(1) for a renewal, O(log m) for an
 *   insert (m = rows of the shard); the incoming value wins iff its
 *   `heartbeatAt` is not older, and the stored `expiresAt` only grows. A
 *   renewal is two commands (`HGET`, `HSET`), an insert four (`HGET`, two
 *   `ZADD`, `HSET`), and the reply is `1` when the row is stored as sent, so
 *   the client decodes nothing.
 * - Concurrent writes (`upsert`, `update`, `admit`) share script calls of
 *   one write script: a write whose lane has fewer than two calls out goes
 *   at once, alone (so a lone heartbeat waits for nothing); the writes that
 *   arrive meanwhile leave together, up to 64, in one call that runs them
 *   one by one in arrival order. Each caller gets exactly what its write, run
 *   alone in that order, would have got: the same id twice merges twice,
 *   and a join's count sees the joins before it. A lane is the server on a
 *   standalone `Redis` client (any keys may share a script; a row then sends
 *   only its shard, id and value, and the script rebuilds its keys) and one
 *   shard on a Cluster or any other client (`crossShardBatches`; every key
 *   declared). A failed call fails every write it carried with the same
 *   typed error; a row the server refuses alone (a key of the wrong type)
 *   fails alone. A write still queued when its deadline passes is never
 *   sent and fails `STORE_UNAVAILABLE` (nothing was applied).
 * - `admit` with limits: a renewal of a live row counts nothing; a join
 *   counts the channel's members filed above its `heartbeatAt` unread (they
 *   are surely live) and reads the exact expiry of those filed at or below it.
 *
 * Supported servers: the tests run on Redis 7.0 (standalone and a 3-master
 * Cluster). No script uses a command or option newer than Redis 3.0 (no
 * `ZADD GT`, a test checks every script), so 3.0 and newer should work;
 * versions before 7.0 are not tested.
 * - `get(id)` / `remove(id)`: the id is `JSON.stringify([scope, channel,
 *   actorId, sessionId])` (`presenceRowId`), so the shard follows from the id
 *   alone. Rows must carry that id; others are refused with `INVALID_ARGS`.
 *   `get` is one `HGET`.
 * - `channel(scope, channel, now)`: one script reads every member of the
 *   channel's sorted set and returns those whose exact expiry is after
 *   `now`, O(c) for c members, expired ones not yet swept included.
 * - `sweep(now, limit)`: per shard, a script walks the entries filed at or
 *   before `now`: it re-files a renewed row under its exact expiry and
 *   deletes and returns a really expired one, re-reading the exact expiry
 *   inside the script, so a row renewed first is never taken and concurrent
 *   sweepers on several nodes each take disjoint rows (every expired row is
 *   returned exactly once). One script looks at 1 000 entries at most; shards
 *   are swept in parallel. With a `limit`, a cheap `ZCOUNT` per shard comes
 *   first, an upper bound of its expired rows; when the sum exceeds the
 *   limit the sweep goes in rounds (the earliest-filed rows first, then
 *   what is missing spread evenly), so it still returns exactly
 *   `min(limit, expired)` rows. An idle sweep costs `shards` small calls.
 *   The sweep pays for the renewals: about 10 µs of server time per renewed
 *   row whose filing came due (a sweep right after 100 000 rows were all
 *   renewed took 1.0 s of server time and found nothing to delete; each
 *   renewal costs about half of what it did when it moved both scores).
 * - `rows()`: `HSCAN` of every shard's hash in pages of 500; because shards
 *   are addressed by key, a Cluster client reaches every master without a
 *   keyspace `SCAN`. O(total rows); not a point-in-time snapshot across pages.
 *
 * Why shards own the expiry index: a sweep must delete a row, its channel
 * membership and its expiry entry in one atomic step, which on a Cluster
 * means one slot. Keeping a shard's expiry index in the shard's own slot gives
 * that, with no cross-slot bookkeeping that a crash could leave half done.
 *
 * Costs and limits: the expiry index is `shards` keys, not one, so sweeps and
 * heartbeats spread over `shards` slots (on a Cluster, over all masters)
 * instead of hammering one key. The shard is the unit of distribution: a
 * channel always lives in one slot, together with the other channels of its
 * shard, so with 128 shards each slot holds about 1/128 of the rows. Per row,
 * memory is the id three times (hash field, member of two sorted sets) plus
 * the value. `shards` and `keyPrefix` are part of the layout: every node must
 * use the same values, and changing `shards` on live data strands it.
 * The store remembers the placement (shard keys, channel key, identity) of
 * the last 10 000 ids it wrote, a few hundred bytes each, so a renewal skips
 * the id check, the channel JSON and the shard hash; past that it starts over.
 * Scripts run by `EVALSHA`, falling back to `EVAL` on `NOSCRIPT` (a restarted
 * server, a new master). A lane's first write call goes by `EVAL`, and a lane
 * whose server refused a write with `NOSCRIPT` holds until its refused calls
 * went again by `EVAL`, one by one in the order sent, so one lane's writes
 * apply in order across a lost script cache. (All writes share one script,
 * so a second call in flight is refused alike; only if another client
 * loaded it again between the two could the second apply first.) Keys built
 * inside the write and sweep scripts do not get an ioredis client's own
 * `keyPrefix`; use this store's `keyPrefix` instead. A call that times out may still be applied later by
 * the server, like any network write; `timeoutMs` bounds a whole call, so an
 * unbounded `sweep` of a huge backlog can exceed it (the pack always passes
 * its `cleanupBatchSize`).
 *
 * @module @absolutejs/sync-pack-presence/stores/redis
 */
import { PresenceConfigError, PresenceError } from '../errors.js';
import type { PresenceRow } from '../row.js';
import type { Admission, AdmissionLimits, PresenceStore } from '../store.js';
import { channelJson, channelJsonOfId, decodeRow, encodeValue, formatTime, shardKeys, shardOf, type ShardKeys } from './redis/codec.js';
import { createCoalescer, type CoalesceLimits, type CoalesceTicket } from './redis/coalesce.js';
import { createPlacements, type Placement } from './redis/placements.js';
import { CHANNEL, GET, PEEK_EXPIRED, COUNT_EXPIRED, REMOVE, ROW_KIND, ROWS_PAGE, SWEEP, WRITE, type RedisScript } from './redis/scripts.js';
import { checkedRow, checkSweepLimit } from './row-check.js';
import { guarded, resolveTimeoutMs } from './unavailable.js';

/**
 * The two commands the store sends; `Redis` and `Cluster` from ioredis (or
 * any client with the same `evalsha`/`eval`) fit.
 */
export interface RedisScriptClient {
  /** `EVALSHA sha numkeys ...keys ...args`. */
  evalsha(sha1: string, numkeys: number, ...args: string[]): Promise<unknown>;
  /** `EVAL script numkeys ...keys ...args`. */
  eval(script: string, numkeys: number, ...args: string[]): Promise<unknown>;
}

/** What `createRedisPresenceStore` accepts. */
export interface RedisPresenceStoreOptions {
  /**
   * An ioredis `Redis` or `Cluster` (or a compatible client). For fail-fast
   * outages give it `enableOfflineQueue: false` and `maxRetriesPerRequest: 1`
   * (Cluster: in `redisOptions`); the store also bounds every call by `timeoutMs`.
   */
  redis: RedisScriptClient;
  /** Prefix of every key; must not contain `{` or `}`. Default `presence:`. */
  keyPrefix?: string;
  /** Bound on one store call in milliseconds; past it the call rejects with `STORE_UNAVAILABLE`. Default 5 000. */
  timeoutMs?: number;
  /** Number of shards (hash slots) channels and the expiry index spread over, 1–16 384. Default 128. */
  shards?: number;
  /**
   * Whether concurrent writes to different shards may share one script call.
   * A standalone server accepts any keys in one script; a Cluster (and a
   * proxy that routes each call by its first key's slot) needs every key of
   * a call in one slot, so writes then share a call only within their shard.
   * Default: `true` for an ioredis `Redis` (`isCluster === false`), `false`
   * for a `Cluster` or any other client. Set `false` for a `Redis` client
   * that talks to a slot-routing proxy.
   */
  crossShardBatches?: boolean;
}

/** Default shard count: enough slots to spread over any practical Cluster. */
export const DEFAULT_REDIS_SHARDS = 128;

/** Rows one sweep script deletes at most, so no script blocks Redis for long. */
const SWEEP_BATCH = 1_000;
/**
 * Rows in one multi-row write at most, and calls in flight per lane (the
 * server, or one shard): writes that arrive while both calls of their lane
 * are out wait for one, then leave together (see `redis/coalesce.ts`). Two
 * in flight let the client build the next call while the server runs one.
 */
const COALESCE_LIMITS: CoalesceLimits = { maxRows: 64, maxInFlight: 2 };
/** `HSCAN` page size of `rows()`. */
const ROWS_PAGE_SIZE = 500;
/** Ids whose placement the store remembers (see `redis/placements.ts`). */
const PLACEMENTS = 10_000;

const validateOptions = (options: RedisPresenceStoreOptions): { prefix: string; shards: number; crossShard: boolean } => {
  const client = options?.redis as Partial<RedisScriptClient> | undefined;
  if (typeof client?.evalsha !== 'function' || typeof client.eval !== 'function') {
    throw new PresenceConfigError('INVALID_STORE', 'createRedisPresenceStore: redis must be an ioredis Redis or Cluster (a client with evalsha and eval)');
  }
  const prefix = options.keyPrefix ?? 'presence:';
  if (typeof prefix !== 'string' || /[{}]/.test(prefix)) {
    throw new PresenceConfigError('INVALID_OPTION', 'createRedisPresenceStore: keyPrefix must be a string without { or } (the store owns the hash tags)');
  }
  const shards = options.shards ?? DEFAULT_REDIS_SHARDS;
  if (!Number.isInteger(shards) || shards < 1 || shards > 16_384) {
    throw new PresenceConfigError('INVALID_OPTION', `createRedisPresenceStore: shards must be an integer from 1 to 16384, got ${String(shards)}`);
  }
  const crossShard = options.crossShardBatches ?? (client as { isCluster?: unknown }).isCluster === false;
  if (typeof crossShard !== 'boolean') {
    throw new PresenceConfigError('INVALID_OPTION', `createRedisPresenceStore: crossShardBatches must be a boolean, got ${String(crossShard)}`);
  }
  return { prefix, shards, crossShard };
};

const isNoScript = (error: unknown): boolean => error instanceof Error && error.message.startsWith('NOSCRIPT');

/** Reads flat `id, value` pairs from a script reply, from item `from` on. */
const pairs = (reply: unknown, from = 0): PresenceRow[] => {
  const items = reply as string[];
  const rows: PresenceRow[] = [];
  for (let index = from; index + 1 < items.length; index += 2) rows.push(decodeRow(items[index]!, items[index + 1]!));
  return rows;
};

/** Reads a stored value (nil when there is no row) of a known id. */
const single = (id: string, reply: unknown): PresenceRow | undefined => (reply === null ? undefined : decodeRow(id, reply as string));

/**
 * The stored row after a merge script, from its short reply (see
 * `scripts.ts`): the incoming row itself, the incoming row under a larger
 * stored expiry, or the stored row; nil stays `undefined`, and an admit's
 * three-part refusal is passed on as is.
 */
const stored = (incoming: PresenceRow, reply: unknown): PresenceRow | string[] | undefined => {
  if (reply === 1) return incoming;
  if (typeof reply === 'string') return { ...incoming, expiresAt: Number(reply) };
  if (Array.isArray(reply) && reply.length === 3) return reply as string[];
  return single(incoming.id, Array.isArray(reply) ? reply[0] : reply);
};

/** What `merge` replies, before the caller reads it: a row, an admit's refusal, or nothing. */
type Merged = PresenceRow | string[] | undefined;

/** One checked write, as the coalescer holds it. */
interface Write {
  readonly kind: (typeof ROW_KIND)[keyof typeof ROW_KIND];
  readonly row: PresenceRow;
  readonly place: Placement;
  readonly value: string;
  /** An admit's limits and actor prefix length (see `WRITE`); `undefined` for an upsert or update. */
  readonly limits: AdmissionLimits | undefined;
}

const admitted = (row: PresenceRow): Admission => ({ admitted: true, row });

/** A limit as the write script reads it: `''` for none. */
const scriptCount = (limit: number): string => (limit === Infinity ? '' : String(limit));

/** Oldest first, ties by id (ids are unique): the order `sweep` returns rows in. */
const byExpiry = (left: { expiresAt: number; id: string }, right: { expiresAt: number; id: string }): number =>
  left.expiresAt - right.expiresAt || (left.id < right.id ? -1 : 1);

/**
 * Creates a presence store on Redis. See the module documentation for the
 * key layout and what each operation costs.
 *
 * @param options - the client, key prefix, timeout and shard count
 * @returns the store
 * @throws PresenceConfigError `INVALID_STORE` without a usable client, `INVALID_OPTION` for a bad prefix, shard count or timeout
 */
export const createRedisPresenceStore = (options: RedisPresenceStoreOptions): PresenceStore => {
  const { prefix, shards, crossShard } = validateOptions(options);
  const timeoutMs = resolveTimeoutMs(options.timeoutMs);
  const client = options.redis;
  const keysOf = Array.from({ length: shards }, (_, shard) => shardKeys(prefix, shard));

  /**
   * EVALSHA, loading the script on a node that does not have it yet, or EVAL
   * at once with `load`; `answer` reads the reply in the same step (one
   * promise per call on the hot path). A `NOSCRIPT` retry goes out after the
   * calls already sent, which is harmless for the calls here (reads and
   * sweeps, which no caller orders against each other); the writes, which
   * must apply in order, leave it to the coalescer (`retries`).
   */
  const run = <T = unknown>(script: RedisScript, args: string[], answer: (reply: unknown) => T = (reply) => reply as T, keys = script.keys, load = false): Promise<T> => {
    if (load) return client.eval(script.source, keys, ...args).then(answer);
    return client.evalsha(script.sha, keys, ...args).then(answer, (error: unknown) => {
      if (!isNoScript(error)) throw error;
      return client.eval(script.source, keys, ...args).then(answer);
    });
  };

  const call = <T>(operation: string, body: () => Promise<T>): Promise<T> => guarded('redis', operation, timeoutMs, body);

  const keysOfChannel = (channel: string): ShardKeys => keysOf[shardOf(channel, shards)]!;

  const placements = createPlacements(PLACEMENTS, keysOfChannel);

  /**
   * Appends one write's arguments of `WRITE`: its head, id, value and an
   * admit's limits. Without declared keys (`crossShard`) the head carries the
   * shard, from which the script rebuilds every key.
   */
  const pushRow = (args: string[], { kind, row, place, value, limits }: Write): void => {
    args.push(crossShard ? kind + place.keys.shard : kind, row.id, value);
    if (limits !== undefined) args.push(scriptCount(limits.maxMembers), scriptCount(limits.maxSessionsPerActor), place.actorPrefixBytes);
  };

  /** `WRITE`'s arguments for writes of one lane, and how many of them are keys. */
  const writeArgs = (writes: readonly Write[]): { args: string[]; keys: number } => {
    // A Cluster call declares every key, all in the lane's shard: its rows and expiry keys, then each row's channel key.
    const args = crossShard ? [prefix] : [writes[0]!.place.keys.rows, writes[0]!.place.keys.expiry, ...writes.map((one) => one.place.channelKey)];
    const keys = crossShard ? 0 : args.length;
    for (const one of writes) pushRow(args, one);
    return { args, keys };
  };

  /**
   * Writes of one lane share a script call when they arrive while one is in
   * flight; their rows apply in arrival order. A row the server refused
   * alone fails alone. A lane whose server lost the script sends its calls
   * again in order (`retries`).
   */
  const submit = createCoalescer<Write, Merged>(
    {
      // One lane per server, or per shard when a call must stay in one slot.
      lane: crossShard ? () => client : (write) => write.place.keys,
      one: (write, load) => {
        const { args, keys } = writeArgs([write]);
        return run(WRITE, args, (reply) => stored(write.row, reply), keys, load);
      },
      many: (writes, load) => {
        const { args, keys } = writeArgs(writes);
        return run(
          WRITE,
          args,
          (reply) => {
            if (!Array.isArray(reply)) throw new Error(`a multi-row write replied ${JSON.stringify(reply)}`);
            return reply.map((one: unknown, index) => (one instanceof Error ? one : stored(writes[index]!.row, one)));
          },
          keys,
          load,
        );
      },
      retries: isNoScript,
    },
    COALESCE_LIMITS,
  );

  /**
   * Checks and places one write, then hands it to the coalescer. A write
   * still queued when its deadline passes is withdrawn, never sent, and
   * fails `STORE_UNAVAILABLE` (nothing applied) rather than `STORE_TIMEOUT`.
   */
  const merge = (operation: keyof typeof ROW_KIND, row: PresenceRow, limits?: AdmissionLimits): Promise<Merged> => {
    const ticket: CoalesceTicket = { sent: false, dropped: false };
    return guarded(
      'redis',
      operation,
      timeoutMs,
      () => {
        // A remembered id with the same four parts needs no second `presenceRowId`.
        const checked = checkedRow('redis', row, placements.known);
        const place = placements.of(checked);
        return submit({ kind: ROW_KIND[operation], row: checked, place, value: encodeValue(checked, place.valueHead), limits }, ticket);
      },
      () => (ticket.dropped = !ticket.sent),
    );
  };

  const write = (operation: 'upsert' | 'update', row: PresenceRow) => merge(operation, row) as Promise<PresenceRow | undefined>;

  const upsert = (row: PresenceRow): Promise<PresenceRow> =>
    write('upsert', row).then((stored) => {
      if (stored === undefined) throw new PresenceError('STORE_UNAVAILABLE', 'redis store: upsert returned no row');
      return stored;
    });

  const admit = async (row: PresenceRow, limits: AdmissionLimits): Promise<Admission> => {
    // No limit can refuse: the plain upsert, which never reads the channel's members.
    if (limits.maxMembers === Infinity && limits.maxSessionsPerActor === Infinity) return upsert(row).then(admitted);
    const reply = await merge('admit', row, limits);
    if (Array.isArray(reply)) return { admitted: false, full: reply[0] === 'actor' ? 'actor' : 'channel', live: Number(reply[1]) };
    return admitted(reply!);
  };

  /** Deletes up to `limit` expired rows of one shard (re-filing the renewed ones it meets), in script-sized batches. */
  const sweepShard = async (keys: ShardKeys, at: string, limit: number): Promise<PresenceRow[]> => {
    const removed: PresenceRow[] = [];
    while (removed.length < limit) {
      const batch = String(Math.min(SWEEP_BATCH, limit - removed.length));
      const reply = (await run(SWEEP, [keys.rows, keys.expiry, at, batch, keys.channelPrefix, String(SWEEP_BATCH)])) as string[];
      removed.push(...pairs(reply, 1));
      if (reply[0] === '0') break;
    }
    return removed;
  };

  /**
   * How many rows each of `open` shards may give so a sweep takes `limit`
   * rows, the earliest filed first: the earliest `limit` due entries of
   * each, merged by score. A shard with no due entry left is not in the map.
   */
  const quotas = async (open: readonly number[], at: string, limit: number): Promise<Map<number, number>> => {
    const peeks = await Promise.all(open.map((shard) => run(PEEK_EXPIRED, [keysOf[shard]!.expiry, at, String(limit)])));
    const candidates: { shard: number; id: string; expiresAt: number }[] = [];
    const quota = new Map<number, number>();
    peeks.forEach((reply, index) => {
      const items = reply as string[];
      if (items.length > 0) quota.set(open[index]!, 0);
      for (let item = 0; item + 1 < items.length; item += 2) candidates.push({ shard: open[index]!, id: items[item]!, expiresAt: Number(items[item + 1]) });
    });
    candidates.sort(byExpiry);
    for (const candidate of candidates.slice(0, limit)) quota.set(candidate.shard, quota.get(candidate.shard)! + 1);
    return quota;
  };

  /** `limit` rows asked of `open` shards as evenly as whole rows allow (some get none when they outnumber the rows). */
  const spread = (open: readonly number[], limit: number): Map<number, number> =>
    new Map(open.map((shard, index) => [shard, Math.floor(limit / open.length) + (index < limit % open.length ? 1 : 0)]));

  /**
   * Exactly `min(limit, expired)` rows over every shard. A shard's due
   * entries are only an upper bound of its expired rows (a renewed row stays
   * filed under its old expiry until a sweep meets it and re-files it), so
   * when they exceed the limit the sweep goes in rounds. The first gives
   * each shard a quota from the earliest-filed due entries overall (so
   * without renewals it takes the globally oldest rows); a shard that gives
   * fewer than its quota has no expired row left and closes; later rounds
   * spread what is still missing evenly over the open shards. Every round
   * takes a row or closes a shard, and no round asks for more than is missing.
   */
  const sweepBounded = async (at: string, limit: number): Promise<PresenceRow[]> => {
    const due = (await Promise.all(keysOf.map((keys) => run(COUNT_EXPIRED, [keys.expiry, at])))).map(Number);
    if (due.reduce((sum, count) => sum + count, 0) <= limit) {
      return (await Promise.all(keysOf.map((keys, shard) => (due[shard] === 0 ? Promise.resolve([]) : sweepShard(keys, at, due[shard]!))))).flat();
    }
    const swept: PresenceRow[] = [];
    let open = due.flatMap((count, shard) => (count > 0 ? [shard] : []));
    for (let round = 0; swept.length < limit && open.length > 0; round += 1) {
      const quota = round === 0 ? await quotas(open, at, limit) : spread(open, limit - swept.length);
      const asked = [...quota].filter(([, rows]) => rows > 0);
      const taken = await Promise.all(asked.map(([shard, rows]) => sweepShard(keysOf[shard]!, at, rows)));
      const short = new Set<number>();
      taken.forEach((rows, index) => {
        swept.push(...rows);
        if (rows.length < asked[index]![1]) short.add(asked[index]![0]);
      });
      open = [...quota.keys()].filter((shard) => !short.has(shard));
    }
    return swept;
  };

  return {
    get: (id) =>
      call('get', async () => {
        const channel = channelJsonOfId(id);
        if (channel === undefined) return undefined;
        return single(id, await run(GET, [keysOfChannel(channel).rows, id]));
      }),
    upsert,
    update: (row) => write('update', row),
    admit,
    remove: (id) =>
      call('remove', async () => {
        const channel = channelJsonOfId(id);
        if (channel === undefined) return undefined;
        const keys = keysOfChannel(channel);
        return single(id, await run(REMOVE, [keys.rows, keys.expiry, keys.channelPrefix + channel, id]));
      }),
    channel: (scope, channel, now) =>
      call('channel', async () => {
        const name = channelJson(scope, channel);
        const keys = keysOfChannel(name);
        return pairs(await run(CHANNEL, [keys.channelPrefix + name, keys.rows, formatTime('now', now)]));
      }),
    sweep: (now, limit) =>
      call('sweep', async () => {
        const at = formatTime('now', now);
        const max = checkSweepLimit('redis', limit);
        if (max === 0) return [];
        const swept = max === Infinity ? (await Promise.all(keysOf.map((keys) => sweepShard(keys, at, Infinity)))).flat() : await sweepBounded(at, max);
        return swept.sort(byExpiry);
      }),
    rows: () =>
      call('rows', async () => {
        const pages = await Promise.all(
          keysOf.map(async (keys) => {
            const found: PresenceRow[] = [];
            let cursor = '0';
            do {
              const [next, page] = (await run(ROWS_PAGE, [keys.rows, cursor, String(ROWS_PAGE_SIZE)])) as [string, string[]];
              cursor = next;
              found.push(...pairs(page));
            } while (cursor !== '0');
            return found;
          }),
        );
        // HSCAN may return a row twice; the last copy read wins.
        return [...new Map(pages.flat().map((row) => [row.id, row] as const)).values()];
      }),
  };
};
