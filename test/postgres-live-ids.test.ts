/**
 * The PostgreSQL store's memory of live rows (`src/stores/postgres/live-ids.ts`):
 * it answers from the last expiry seen of each id, never an older one, and
 * forgets only by starting over once it holds `limit` ids.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import type { PresenceRow } from '../src/row.js';
import { createLiveIds } from '../src/stores/postgres/live-ids.js';

const rowAt = (id: string, heartbeatAt: number, expiresAt: number): PresenceRow => ({ id, scope: 's', channel: 'c', actorId: id, sessionId: '', state: {}, heartbeatAt, expiresAt });
const step = fc.record({ id: fc.constantFrom('i0', 'i1', 'i2', 'i3', 'i4'), heartbeatAt: fc.integer({ min: 0, max: 20 }), expiresAt: fc.integer({ min: 0, max: 20 }) });

describe('postgres live ids', () => {
  test.prop([fc.array(step, { maxLength: 60 }), fc.integer({ min: 1, max: 6 })])('likelyLive is the last seen expiry against the heartbeat, or false once forgotten', (steps, limit) => {
    const live = createLiveIds(limit);
    const last = new Map<string, number>();
    for (const { id, heartbeatAt, expiresAt } of steps) {
      const probe = rowAt(id, heartbeatAt, 0);
      const answer = live.likelyLive(probe);
      // Never a stale expiry: true only when the last one seen is past the heartbeat.
      if (answer) expect(last.get(id)).toBeGreaterThan(heartbeatAt);
      // With room for every id, nothing is forgotten, so the answer is exact.
      if (limit >= 5) expect(answer).toBe((last.get(id) ?? -Infinity) > heartbeatAt);
      live.saw(rowAt(id, heartbeatAt, expiresAt));
      last.set(id, expiresAt);
      expect(live.likelyLive(rowAt(id, expiresAt - 1, 0))).toBe(true);
      expect(live.likelyLive(rowAt(id, expiresAt, 0))).toBe(false);
    }
  });

  test('a full memory starts over on a new id, but not on a known one', () => {
    const live = createLiveIds(2);
    live.saw(rowAt('a', 0, 10));
    live.saw(rowAt('b', 0, 10));
    live.saw(rowAt('b', 0, 12));
    expect([live.likelyLive(rowAt('a', 5, 0)), live.likelyLive(rowAt('b', 11, 0))]).toEqual([true, true]);
    live.saw(rowAt('c', 0, 10));
    expect([live.likelyLive(rowAt('a', 5, 0)), live.likelyLive(rowAt('b', 5, 0)), live.likelyLive(rowAt('c', 5, 0))]).toEqual([false, false, true]);
  });
});
