import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { createCoalescer, rateTicks } from '../../src/client/coalescer.js';
import { browserEnvironment } from '../../src/client/environment.js';
import { isPresenceRow, jsonEqual, membersAt } from '../../src/client/members.js';
import { CLOCK_SAMPLES, createServerClock } from '../../src/client/server-clock.js';
import { presenceRowId, type PresenceRow } from '../../src/index.js';
import { createWorld, fakeStorage, fakeTarget } from './world.js';

/** JSON with object keys sorted: equal iff the values are structurally equal. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );

const row = (actorId: string, sessionId: string, overrides: Partial<PresenceRow> = {}): PresenceRow => {
  const identity = { scope: '', channel: 'c', actorId, sessionId };
  return { id: presenceRowId(identity), ...identity, state: {}, expiresAt: 100, heartbeatAt: 50, ...overrides };
};

describe('jsonEqual', () => {
  test.prop([fc.jsonValue(), fc.jsonValue()])('says equal exactly when the canonical JSON is equal', (a, b) => {
    expect(jsonEqual(a, b)).toBe(canonical(a) === canonical(b));
    expect(jsonEqual(a, JSON.parse(JSON.stringify(a)))).toBe(true);
  });

  test('tells an array from an object with the same keys', () => {
    expect(jsonEqual(['x'], { 0: 'x' })).toBe(false);
  });
});

describe('membersAt', () => {
  const rows = fc.uniqueArray(
    fc.record({ actor: fc.constantFrom('a', 'b', 'a:b', '"'), session: fc.constantFrom('s1', 's2', ''), expiresAt: fc.integer({ min: 0, max: 200 }), x: fc.nat(3) }),
    { selector: (r) => `${r.actor}/${r.session}`, maxLength: 8 },
  ).map((list) => list.map((r) => row(r.actor, r.session, { expiresAt: r.expiresAt, state: { x: r.x } })));

  test.prop([rows, fc.integer({ min: 0, max: 200 }), fc.nat()])(
    'holds exactly the live rows, in one order whatever the order they arrive in, and wakes at the earliest expiry',
    (list, now, rotate) => {
      const shifted = [...list.slice(rotate % (list.length || 1)), ...list.slice(0, rotate % (list.length || 1))];
      const a = membersAt(list, now, 's1', []);
      const b = membersAt(shifted.reverse(), now, 's1', []);
      expect(b.members).toEqual(a.members);
      expect(a.members.map((m) => m.id)).toEqual(list.filter((r) => r.expiresAt > now).map((r) => r.id).sort());
      expect(a.nextChangeAt).toBe(Math.min(Infinity, ...list.filter((r) => r.expiresAt > now).map((r) => r.expiresAt)));
      expect(a.members.filter((m) => m.isSelf).every((m) => m.sessionId === 's1')).toBe(true);
    },
  );

  test.prop([rows, fc.integer({ min: 0, max: 200 })])('returns the previous list itself when nothing visible changed', (list, now) => {
    const first = membersAt(list, now, 's1', []);
    const renewed = list.map((r) => ({ ...r, heartbeatAt: r.heartbeatAt + 1, state: { ...r.state } }));
    expect(membersAt(renewed, now, 's1', first.members).members).toBe(first.members);
  });

  test('skips rows that are not presence rows, and counts a typing deadline as a change', () => {
    const typing = row('a', 's1', { state: { typing: true, typingExpiresAt: 70 } });
    const junk = [null, 1, 'x', { id: 1 }, { ...row('b', 's'), state: [] }, { ...row('c', 's'), state: null }, { ...row('d', 's'), expiresAt: '9' }];
    expect(junk.filter(isPresenceRow)).toEqual([]);
    const at = membersAt([...junk, typing], 60, 'other', []);
    expect(at.members.map((m) => [m.actorId, m.isTyping, m.isSelf])).toEqual([['a', true, false]]);
    expect(at.nextChangeAt).toBe(70);
    const later = membersAt([typing], 70, 'other', at.members);
    expect(later.members).not.toBe(at.members);
    expect(later.members[0]?.isTyping).toBe(false);
  });
});

describe('the server clock estimate', () => {
  test.prop([fc.array(fc.record({ sentAt: fc.integer({ min: 0, max: 1e6 }), rtt: fc.integer({ min: 0, max: 5000 }), at: fc.double({ min: 0, max: 1, noNaN: true }) }), { minLength: 1, maxLength: 20 }), fc.integer({ min: -1e7, max: 1e7 })])(
    'takes the midpoint of the shortest of the last samples',
    (samples, offset) => {
      const clock = createServerClock();
      for (const s of samples) {
        clock.observe({ sentAt: s.sentAt, receivedAt: s.sentAt + s.rtt, serverAt: s.sentAt + s.rtt * s.at + offset });
      }
      const recent = samples.slice(-CLOCK_SAMPLES);
      const best = Math.min(...recent.map((s) => s.rtt));
      expect(Math.abs(clock.offset() - offset)).toBeLessThanOrEqual(best / 2 + 1e-6);
    },
  );

  test('ignores a sample received before it was sent, or without a server time', () => {
    const clock = createServerClock();
    expect(clock.observe({ sentAt: 10, receivedAt: 5, serverAt: 100 })).toBe(false);
    expect(clock.observe({ sentAt: 10, receivedAt: 20, serverAt: Number.NaN })).toBe(false);
    expect(clock.offset()).toBe(0);
    expect(clock.observe({ sentAt: 10, receivedAt: 20, serverAt: 115 })).toBe(true);
    expect(clock.observe({ sentAt: 30, receivedAt: 40, serverAt: 135 })).toBe(false);
    expect(clock.offset()).toBe(100);
  });
});

describe('the coalescer', () => {
  test('a failed send does not stop the next value, and ticks keep their rate', async () => {
    const world = createWorld();
    const sentValues: number[] = [];
    const coalescer = createCoalescer<number>(rateTicks(world.env, 100), async (value) => {
      sentValues.push(value);
      if (value === 1) throw new Error('lost');
    });
    coalescer.push(1);
    await world.advance(0);
    coalescer.push(2);
    coalescer.push(3);
    await world.advance(99);
    expect(sentValues).toEqual([1]);
    await world.advance(1);
    expect(sentValues).toEqual([1, 3]);
    coalescer.push(4);
    coalescer.dispose();
    await world.advance(1000);
    expect(sentValues).toEqual([1, 3]);
    expect(world.pendingTimers()).toBe(0);
  });
});

describe('browserEnvironment', () => {
  const withGlobals = (globals: Record<string, unknown>, run: () => void): void => {
    const saved = Object.keys(globals).map((key) => [key, Object.getOwnPropertyDescriptor(globalThis, key)] as const);
    for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(globals))) {
      Object.defineProperty(globalThis, key, { ...descriptor, configurable: true });
    }
    try {
      run();
    } finally {
      for (const [key, descriptor] of saved) {
        if (descriptor) Object.defineProperty(globalThis, key, descriptor);
        else delete (globalThis as Record<string, unknown>)[key];
      }
    }
  };

  test('reads the page, storage and frames from the globals where they exist', () => {
    const document = Object.assign(fakeTarget(), { visibilityState: 'visible' });
    const window = fakeTarget();
    const sessionStorage = fakeStorage();
    const frames: (() => void)[] = [];
    withGlobals(
      { document, window, sessionStorage, requestAnimationFrame: (run: () => void) => frames.push(run), cancelAnimationFrame: () => undefined },
      () => {
        const env = browserEnvironment();
        expect(env.document).toBe(document);
        expect(env.window).toBe(window);
        expect(env.sessionStorage).toBe(sessionStorage);
        env.requestAnimationFrame?.(() => undefined);
        env.cancelAnimationFrame?.(1);
        expect(frames).toHaveLength(1);
        expect(Math.abs(env.now() - Date.now())).toBeLessThan(1000);
        expect(env.random()).toBeLessThan(1);
        expect(env.randomId()).toMatch(/^[0-9a-f-]{32,36}$/);
        env.clearTimeout(env.setTimeout(() => undefined, 1));
      },
    );
  });

  test('without them (SSR, storage disabled, no randomUUID) still works: no page, no storage, a 128-bit id', () => {
    withGlobals(
      {
        get sessionStorage(): never {
          throw new Error('SecurityError');
        },
        crypto: {},
      },
      () => {
        const env = browserEnvironment();
        expect(env.sessionStorage).toBeUndefined();
        expect(env.document).toBeUndefined();
        expect(env.requestAnimationFrame).toBeUndefined();
        expect(env.randomId()).toMatch(/^[0-9a-f]{32}$/);
      },
    );
  });
});
