import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { createPresenceHarness, type PresenceView } from '../spec/harness.js';
import type { PresenceRow } from '../src/index.js';

const scopes = ['t1', 't2'] as const;
const channels = ['c1', 'c:1'] as const;
const caller = fc.record({ userId: fc.constantFrom('a', 'a:b'), tenant: fc.constantFrom(...scopes) });
const where = fc.record({ channel: fc.constantFrom(...channels), session: fc.constantFrom(undefined, 's1') });

const step = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('heartbeat' as const), ctx: caller, at: where, state: fc.option(fc.record({ v: fc.nat(9) }), { nil: undefined }) }),
  },
  fc.record({ kind: fc.constant('leave' as const), ctx: caller, at: where }),
  fc.record({ kind: fc.constant('cursor' as const), ctx: caller, at: where, x: fc.nat(99) }),
  fc.record({ kind: fc.constant('typing' as const), ctx: caller, at: where, typing: fc.boolean() }),
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('clock' as const), ms: fc.integer({ min: -15_000, max: 25_000 }) }) },
  fc.record({ kind: fc.constant('cleanup' as const) }),
);

const sorted = (rows: PresenceRow[]): PresenceRow[] => [...rows].sort((a, b) => (a.id < b.id ? -1 : 1));

describe('what subscribers see', () => {
  test.prop([fc.array(step, { minLength: 1, maxLength: 40 })], { numRuns: 150 })(
    'every view holds exactly the live rows of its scope and channel after each step, and exactly the stored ones after cleanup',
    async (steps) => {
      const h = createPresenceHarness({ config: { scope: (ctx) => ctx['tenant'], heartbeatTtlSec: 10 } });
      const views: [string, string, PresenceView][] = [];
      for (const scope of scopes) {
        for (const channel of channels) views.push([scope, channel, await h.watch({ tenant: scope }, channel)]);
      }
      const expiries = new Map<string, number>();
      for (const next of steps) {
        if (next.kind === 'clock') h.clock.advance(next.ms);
        else if (next.kind === 'cleanup') await h.cleanup();
        else {
          const client = h.as(next.ctx);
          const { channel, session } = next.at;
          const call =
            next.kind === 'heartbeat'
              ? client.heartbeat(channel, { state: next.state, session })
              : next.kind === 'leave'
                ? client.leave(channel, session)
                : next.kind === 'cursor'
                  ? client.cursor(channel, { x: next.x }, session)
                  : client.typing(channel, next.typing, session);
          await call.catch((error: { code?: string }) => expect(error.code).toBe('NOT_PRESENT'));
        }
        const now = h.clock.now();
        for (const [scope, channel, view] of views) {
          const live = sorted(await h.store.channel(scope, channel, now));
          const seen = view.rows();
          expect(seen.filter((row) => row.expiresAt > now)).toEqual(live);
          for (const row of seen) expect([row.scope, row.channel]).toEqual([scope, channel]);
          if (next.kind === 'cleanup') expect(seen).toEqual(live);
        }
        for (const row of await h.store.rows()) {
          expect(row.expiresAt).toBeGreaterThanOrEqual(expiries.get(row.id) ?? -Infinity);
          expiries.set(row.id, row.expiresAt);
        }
        if (next.kind === 'leave' || next.kind === 'cleanup') {
          const stored = new Set((await h.store.rows()).map((row) => row.id));
          for (const id of expiries.keys()) if (!stored.has(id)) expiries.delete(id);
        }
      }
    },
  );
});
