import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import {
  cursorPatch,
  heartbeatRow,
  isCurrentlyTyping,
  isExpired,
  isLive,
  isVisibleTo,
  isWritableBy,
  patchedRow,
  presenceRowId,
  rowsToLeave,
  typingPatch,
  PresenceError,
  type PresenceIdentity,
  type PresenceRow,
  type JsonValue,
} from '../src/index.js';

// Strings rich in the characters that broke 0.3 ids: separators, quotes, unicode, empty.
const tricky = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.constantFrom('', ':', 'a:b', 'b:c', '"', '\\', '","', '[', ']', '{x}', '\u0000', '😀'),
);
const identity = fc.record({ scope: tricky, channel: tricky, actorId: tricky, sessionId: tricky });
const state = fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }) as fc.Arbitrary<
  PresenceRow['state']
>;
const time = fc.integer({ min: 0, max: 1_000_000 });

const row = (id: PresenceIdentity, overrides: Partial<PresenceRow> = {}): PresenceRow => ({
  id: presenceRowId(id),
  ...id,
  state: {},
  expiresAt: 100,
  heartbeatAt: 70,
  ...overrides,
});

describe('row identity', () => {
  test.prop([identity, identity])('ids are equal exactly when identities are', (a, b) => {
    const same = a.scope === b.scope && a.channel === b.channel && a.actorId === b.actorId && a.sessionId === b.sessionId;
    expect(presenceRowId(a) === presenceRowId(b)).toBe(same);
  });

  test.prop([fc.array(fc.tuple(identity, fc.boolean()), { minLength: 1, maxLength: 12 })])(
    'every id is the JSON of the parts read now, however the encodings before it went (repeats, and one object changed in place)',
    (steps) => {
      const reused = { scope: '', channel: '', actorId: '', sessionId: '' };
      for (const [next, inPlace] of steps) {
        // Changing the very object encoded last must not return its old id.
        const subject = inPlace ? Object.assign(reused, next) : { ...next };
        expect(presenceRowId(subject)).toBe(JSON.stringify([next.scope, next.channel, next.actorId, next.sessionId]));
        expect(presenceRowId({ ...next })).toBe(presenceRowId(subject));
      }
    },
  );

  test('the 0.3 collisions are distinct ids', () => {
    const base = { scope: '', sessionId: '' };
    expect(presenceRowId({ ...base, channel: 'a:b', actorId: 'c' })).not.toBe(presenceRowId({ ...base, channel: 'a', actorId: 'b:c' }));
    expect(presenceRowId({ ...base, scope: 't1', channel: 'c', actorId: 'u' })).not.toBe(
      presenceRowId({ ...base, scope: 't2', channel: 'c', actorId: 'u' }),
    );
  });
});

describe('liveness', () => {
  test.prop([time, time])('a row is live iff expiresAt > now, and expired otherwise', (expiresAt, now) => {
    expect(isLive({ expiresAt }, now)).toBe(expiresAt > now);
    expect(isExpired({ expiresAt }, now)).toBe(!isLive({ expiresAt }, now));
  });
});

describe('heartbeat', () => {
  const ttl = fc.integer({ min: 1, max: 60_000 });
  const step = fc.record({ now: time, state: fc.option(state, { nil: undefined }) });

  test.prop([identity, ttl, fc.array(step, { minLength: 1, maxLength: 30 })])(
    'expiresAt never decreases across any heartbeat sequence, even when now steps back',
    (id, ttlMs, steps) => {
      let stored: PresenceRow | undefined;
      for (const { now, state: next } of steps) {
        const written = heartbeatRow(stored, id, next, now, ttlMs);
        expect(written.expiresAt).toBeGreaterThanOrEqual(Math.max(stored?.expiresAt ?? -Infinity, now + ttlMs));
        expect(written.expiresAt).toBe(Math.max(stored?.expiresAt ?? -Infinity, now + ttlMs));
        expect(written.heartbeatAt).toBe(now);
        expect(written.id).toBe(presenceRowId(id));
        stored = written;
      }
    },
  );

  test.prop([identity, state, state, time])('state is replaced when given and renewed when omitted on a live row', (id, first, second, now) => {
    const stored = heartbeatRow(undefined, id, first, now, 1000);
    expect(heartbeatRow(stored, id, second, now + 10, 1000).state).toEqual(second);
    expect(heartbeatRow(stored, id, undefined, now + 10, 1000).state).toEqual(first);
  });

  test.prop([identity, state, time])('a bare heartbeat on an expired row starts from empty state', (id, first, now) => {
    const stored = heartbeatRow(undefined, id, first, now, 1000);
    expect(heartbeatRow(stored, id, undefined, now + 1000, 1000).state).toEqual({});
  });
});

describe('patches', () => {
  const patch = fc.oneof(
    (fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<JsonValue>).map((cursor) => () => cursorPatch(cursor)),
    fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 10_000 })).map(([typing, ttl]) => (now: number) => typingPatch(typing, now, ttl)),
  );

  test.prop([identity, state, time, fc.integer({ min: 1, max: 1000 }), patch])(
    'a patch on a live row changes state only, never expiresAt or heartbeatAt',
    (id, initial, now, life, makePatch) => {
      const stored = row(id, { state: initial, heartbeatAt: now, expiresAt: now + life });
      const patched = patchedRow(stored, makePatch(now), now);
      expect(patched.expiresAt).toBe(stored.expiresAt);
      expect(patched.heartbeatAt).toBe(stored.heartbeatAt);
      expect({ ...patched, state: undefined }).toEqual({ ...stored, state: undefined });
      for (const key of Object.keys(initial)) if (!(key in makePatch(now))) expect(patched.state[key]).toEqual(initial[key]);
    },
  );

  test.prop([identity, time, fc.integer({ min: 0, max: 1000 }), patch])(
    'a patch on an expired or missing row fails with NOT_PRESENT and never makes it live',
    (id, expiresAt, late, makePatch) => {
      const now = expiresAt + late;
      for (const stored of [row(id, { expiresAt }), undefined]) {
        expect(() => patchedRow(stored, makePatch(now), now)).toThrowError(
          expect.objectContaining({ code: 'NOT_PRESENT' }) as unknown as PresenceError,
        );
      }
    },
  );

  test('typing lapses by itself after the typing TTL', () => {
    const typing = { state: typingPatch(true, 1000, 5000) };
    expect(isCurrentlyTyping(typing, 1000)).toBe(true);
    expect(isCurrentlyTyping(typing, 5999)).toBe(true);
    expect(isCurrentlyTyping(typing, 6000)).toBe(false);
    expect(isCurrentlyTyping({ state: typingPatch(false, 1000, 5000) }, 1000)).toBe(false);
    expect(isCurrentlyTyping({ state: { typing: true } }, 0)).toBe(false);
  });
});

describe('leave, visibility and write access', () => {
  test.prop([fc.array(identity, { maxLength: 8 }), tricky])('a leave selects exactly the caller’s rows', (ids, actor) => {
    const members = ids.map((id) => row(id));
    const leaving = rowsToLeave(members, actor);
    expect(leaving).toEqual(members.filter((member) => member.actorId === actor));
  });

  test.prop([identity, tricky, tricky, time, time])('a row is visible only in its scope and channel, and only while live', (id, scope, channel, expiresAt, now) => {
    const member = row(id, { expiresAt });
    expect(isVisibleTo(member, scope, channel, now)).toBe(id.scope === scope && id.channel === channel && expiresAt > now);
  });

  test.prop([identity, tricky, tricky])('a row is writable only by its own actor in its own scope', (id, actor, scope) => {
    expect(isWritableBy(row(id), actor, scope)).toBe(id.actorId === actor && id.scope === scope);
  });
});
