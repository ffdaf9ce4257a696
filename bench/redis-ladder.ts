/**
 * An ablation ladder of the Redis store's heartbeat, for `floors.ts`
 * (`BENCH_FLOORS=ladder`): each rung adds one layer of the store to the
 * `EVALSHA return 1` floor, so the wall time and CPU each layer costs can be
 * read apart in one run, interleaved like every floors group.
 *
 * 1. the floor through `guarded` (the store's per-call deadline);
 * 2. the floor through the coalescer (one lane, the store's limits);
 * 3. the real write script of a renewal, called raw with `evalsha` as a
 *    standalone store calls it (the value encoded per call, as the store does);
 * 4. the full store's `upsert`, and `admit` with the pack's limits.
 *
 * @module
 */
import type { Redis } from 'ioredis';
import type { PresenceRow } from '../src/row.js';
import type { PresenceStore } from '../src/store.js';
import { channelJson, encodeValue, shardKeys, shardOf, valueHead } from '../src/stores/redis/codec.js';
import { createCoalescer } from '../src/stores/redis/coalesce.js';
import { ROW_KIND, WRITE } from '../src/stores/redis/scripts.js';
import { guarded } from '../src/stores/unavailable.js';

/** One rung: a name and a call taking the running call number. */
export interface Rung {
  name: string;
  call: (index: number) => Promise<unknown>;
}

/**
 * The rungs between the floor and the store.
 *
 * @param client - the connection every rung uses
 * @param floor - the floor's call
 * @param prefix - the key prefix of the raw script's rows (the store's own, so they are renewals of the same rows)
 * @param renewal - the renewal of call `index`
 * @returns the rungs, in ladder order
 */
export const ladderRungs = (client: Redis, floor: (index: number) => Promise<unknown>, prefix: string, renewal: (index: number) => PresenceRow): Rung[] => {
  const submit = createCoalescer<number, unknown>({ lane: () => client, one: floor, many: (indexes) => Promise.all(indexes.map(floor)) }, { maxRows: 64, maxInFlight: 2 });
  const places = new Map<string, { head: string; value: string }>();
  const raw = (index: number) => {
    const row = renewal(index);
    let place = places.get(row.id);
    if (place === undefined) {
      const json = channelJson(row.scope, row.channel);
      place = { head: ROW_KIND.upsert + shardKeys(prefix, shardOf(json, 128)).shard, value: valueHead(json, row.actorId, row.sessionId) };
      places.set(row.id, place);
    }
    return client.evalsha(WRITE.sha, 0, prefix, place.head, row.id, encodeValue(row, place.value));
  };
  return [
    { name: 'ladder: floor through guarded', call: (index) => guarded('redis', 'upsert', 5_000, () => floor(index)) },
    { name: 'ladder: floor through the coalescer', call: (index) => submit(index) },
    { name: 'ladder: write script raw (evalsha)', call: raw },
  ];
};

/**
 * Loads the script the raw rung names by SHA.
 *
 * @param client - the connection
 */
export const loadLadder = async (client: Redis): Promise<void> => {
  await client.script('LOAD', WRITE.source);
};
