/**
 * The Redis store's placement memory (`src/stores/redis/placements.ts`)
 * against computing each placement afresh: the memory never changes where a
 * row goes, whatever ids and identities arrive and however often it starts over.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { presenceRowId } from '../src/row.js';
import { channelJson, encodeValue, shardKeys, shardOf } from '../src/stores/redis/codec.js';
import { createPlacements } from '../src/stores/redis/placements.js';

const keysOfChannel = (channel: string) => shardKeys('p:', shardOf(channel, 8));
const part = fc.constantFrom('', 'a', 'b', '{x}', '"');
// Ids from a small pool independent of the parts: the same id arrives with other identities too.
const write = fc.record({ id: fc.constantFrom('i0', 'i1', 'i2', 'i3'), scope: part, channel: part, actorId: part, sessionId: part });

describe('redis placements', () => {
  test.prop([fc.array(write, { maxLength: 60 }), fc.integer({ min: 1, max: 5 })])('every placement equals the fresh one, and known() holds the last identity of an id', (writes, limit) => {
    const placements = createPlacements(limit, keysOfChannel);
    const last = new Map<string, (typeof writes)[number]>();
    for (const row of writes) {
      const json = channelJson(row.scope, row.channel);
      const keys = keysOfChannel(json);
      const placement = placements.of(row);
      expect(placement).toMatchObject({ scope: row.scope, channel: row.channel, actorId: row.actorId, sessionId: row.sessionId, channelJson: json, keys, channelKey: keys.channelPrefix + json });
      // The cached value head encodes exactly what the whole row's JSON would, and the actor prefix starts exactly that actor's ids.
      const full = { ...row, id: presenceRowId(row), state: { q: '"\n', n: [1] }, heartbeatAt: 5, expiresAt: -7 };
      expect(encodeValue(full, placement.valueHead)).toBe(`5\n-7\n${json}\n${JSON.stringify([row.actorId, row.sessionId, full.state])}`);
      expect(presenceRowId({ ...row, sessionId: 'any' }).startsWith(placement.actorPrefix)).toBe(true);
      expect(presenceRowId({ ...row, actorId: `${row.actorId}x` }).startsWith(placement.actorPrefix)).toBe(false);
      last.set(row.id, row);
      const known = placements.known(row.id);
      expect(known).toMatchObject({ scope: row.scope, channel: row.channel, actorId: row.actorId, sessionId: row.sessionId });
      // Every other id is either forgotten or remembered with its last identity.
      for (const [id, written] of last) {
        const remembered = placements.known(id);
        if (remembered !== undefined) expect(remembered).toMatchObject({ scope: written.scope, channel: written.channel, actorId: written.actorId, sessionId: written.sessionId });
      }
    }
  });

  test.prop([fc.integer({ min: 1, max: 6 })])('remembers at most `limit` ids, starting over past it', (limit) => {
    const placements = createPlacements(limit, keysOfChannel);
    const ids = Array.from({ length: limit + 1 }, (_, index) => `id${index}`);
    for (const id of ids) placements.of({ id, scope: 's', channel: 'c', actorId: id, sessionId: '' });
    // The last write found the memory full: only it is remembered now.
    expect(ids.filter((id) => placements.known(id) !== undefined)).toEqual([ids[limit]]);
  });

  test('a renewal of a remembered id returns the same placement object', () => {
    const placements = createPlacements(4, keysOfChannel);
    const row = { id: 'i', scope: 's', channel: 'c', actorId: 'a', sessionId: '' };
    expect(placements.of({ ...row })).toBe(placements.of({ ...row }));
  });
});
