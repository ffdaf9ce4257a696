import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { createInMemoryPresenceStore, createMemoryPresenceStore, presenceRowId, type PresenceRow } from '../src/index.js';

const makeRow = (actorId: string, expiresAt: number, overrides: Partial<PresenceRow> = {}): PresenceRow => {
  const identity = { scope: 's', channel: 'c', actorId, sessionId: '', ...overrides };
  return { id: presenceRowId(identity), ...identity, state: {}, expiresAt, heartbeatAt: 0, ...overrides };
};

// Operations on a handful of ids, with expiries that collide often, to stress the heap.
const op = fc.oneof(
  fc.record({ kind: fc.constant('upsert' as const), actor: fc.integer({ min: 0, max: 7 }), expiresAt: fc.integer({ min: 0, max: 40 }), heartbeatAt: fc.integer({ min: 0, max: 40 }) }),
  fc.record({ kind: fc.constant('update' as const), actor: fc.integer({ min: 0, max: 7 }), expiresAt: fc.integer({ min: 0, max: 40 }), heartbeatAt: fc.integer({ min: 0, max: 40 }) }),
  fc.record({ kind: fc.constant('remove' as const), actor: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('sweep' as const), now: fc.integer({ min: 0, max: 40 }), limit: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }) }),
);

describe('memory store indexes', () => {
  test.prop([fc.array(op, { maxLength: 60 })])(
    'sweep always removes the earliest-expiring rows first, and the indexes agree with rows() after any sequence',
    (ops) => {
      const store = createMemoryPresenceStore();
      for (const step of ops) {
        if (step.kind === 'upsert' || step.kind === 'update') {
          store[step.kind](makeRow(`a${step.actor}`, step.expiresAt, { heartbeatAt: step.heartbeatAt }));
        } else if (step.kind === 'remove') {
          store.remove(presenceRowId({ scope: 's', channel: 'c', actorId: `a${step.actor}`, sessionId: '' }));
        } else {
          const before = store.rows() as PresenceRow[];
          const swept = store.sweep(step.now, step.limit) as PresenceRow[];
          const expired = before.filter((row) => row.expiresAt <= step.now).map((row) => row.expiresAt).sort((a, b) => a - b);
          const expected = expired.slice(0, step.limit ?? expired.length);
          expect(swept.map((row) => row.expiresAt).sort((a, b) => a - b)).toEqual(expected);
        }
        const rows = store.rows() as PresenceRow[];
        expect((store.channel('s', 'c', -1) as PresenceRow[]).map((row) => row.id).sort()).toEqual(rows.map((row) => row.id).sort());
        for (const row of rows) expect(store.get(row.id)).toEqual(row);
      }
    },
  );

  test('the id fixes the identity: a write whose fields contradict its id is INVALID_ARGS, and the row and its indexes stay put', () => {
    const store = createMemoryPresenceStore();
    const row = makeRow('a', 100);
    store.upsert(row);
    expect(() => store.upsert({ ...row, scope: 's2', channel: 'other', actorId: 'b', sessionId: 'tab', state: { v: 1 }, heartbeatAt: 1, expiresAt: 200 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGS' }),
    );
    const contradicting = { ...row, actorId: 'b', heartbeatAt: 1, expiresAt: 200 };
    // The stored row lets a matching write skip encoding the id; a contradicting one is still refused by every write.
    expect(() => store.update(contradicting)).toThrow(expect.objectContaining({ code: 'INVALID_ARGS' }));
    expect(() => store.admit(contradicting, { maxMembers: Infinity, maxSessionsPerActor: Infinity })).toThrow(expect.objectContaining({ code: 'INVALID_ARGS' }));
    expect(store.get(row.id)).toEqual(row);
    const merged = store.upsert({ ...row, state: { v: 1 }, heartbeatAt: 1, expiresAt: 200 });
    const expected = { ...row, state: { v: 1 }, heartbeatAt: 1, expiresAt: 200 };
    expect(merged).toEqual(expected);
    expect(store.channel('s', 'c', 0)).toEqual([expected]);
    expect(store.channel('s2', 'other', 0)).toEqual([]);
    store.remove(row.id);
    expect(store.channel('s', 'c', 0)).toEqual([]);
    expect(store.rows()).toEqual([]);
  });

  test('an older heartbeat keeps the stored fields but still extends expiresAt', () => {
    const store = createMemoryPresenceStore();
    store.upsert(makeRow('a', 100, { heartbeatAt: 50, state: { v: 'new' } }));
    const merged = store.upsert(makeRow('a', 200, { heartbeatAt: 40, state: { v: 'old' } })) as PresenceRow;
    expect(merged.state).toEqual({ v: 'new' });
    expect(merged.expiresAt).toBe(200);
    expect(store.sweep(150)).toEqual([]);
  });

  test('stored rows are copies: mutating what was passed in or handed out changes nothing', () => {
    const store = createMemoryPresenceStore();
    const row = makeRow('a', 100, { state: { nested: { v: 1 }, list: [1] } });
    const returned = store.upsert(row) as PresenceRow;
    (row.state['nested'] as { v: number }).v = 2;
    (returned.state['list'] as number[]).push(2);
    const got = store.get(row.id) as PresenceRow;
    got.expiresAt = 0;
    (store.channel('s', 'c', 0) as PresenceRow[])[0]!.state['x'] = 1;
    expect(store.get(row.id)).toEqual(makeRow('a', 100, { state: { nested: { v: 1 }, list: [1] } }));
  });

  // Writes that reuse the stored state in place must leave exactly the last winning state, in its key order,
  // and never reach a row handed out before.
  /** Changes every object and array under `value` in place (a caller scribbling on what it got). */
  const scribble = (value: unknown): void => {
    if (typeof value !== 'object' || value === null) return;
    for (const item of Object.values(value)) scribble(item);
    if (Array.isArray(value)) value.push('scribbled');
    else (value as Record<string, unknown>)['scribbled'] = true;
  };
  const stateArb = fc.dictionary(fc.constantFrom('cursor', 'name', 'typing', '__proto__', 'x'), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }) as fc.Arbitrary<PresenceRow['state']>;
  test.prop([fc.array(fc.record({ kind: fc.constantFrom('upsert' as const, 'update' as const, 'admit' as const), state: stateArb, older: fc.boolean() }), { minLength: 1, maxLength: 30 })])(
    'after any sequence of writes the stored state is the last winning one, key order included; earlier hand-outs never change, and scribbling on one changes nothing stored',
    (writes) => {
      const store = createMemoryPresenceStore();
      const id = makeRow('a', 100).id;
      store.upsert(makeRow('a', 1000, { heartbeatAt: 100 }));
      let expected = '{}';
      let time = 100;
      const handedOut: [PresenceRow, string][] = [];
      for (const [index, { kind, state, older }] of writes.entries()) {
        // An older heartbeatAt loses: the stored state must stay as it was.
        if (!older) time++;
        const row = makeRow('a', 1000, { state, heartbeatAt: older ? time - 1 : time });
        const written = kind === 'admit' ? store.admit(row, { maxMembers: 0, maxSessionsPerActor: 0 }) : store[kind](row);
        const result = (kind === 'admit' ? (written as { row: PresenceRow }).row : written) as PresenceRow;
        if (!older) expected = JSON.stringify(state);
        expect(JSON.stringify(result.state)).toBe(expected);
        // Every other answer is scribbled on (the store may hand out the snapshot it checked, never what it keeps).
        if (index % 2 === 0) handedOut.push([result, JSON.stringify(result)]);
        else scribble(result.state);
        expect(JSON.stringify((store.get(id) as PresenceRow).state)).toBe(expected);
      }
      for (const [row, text] of handedOut) expect(JSON.stringify(row)).toBe(text);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    },
  );

  test('a "__proto__" state key stays an own key and round-trips', () => {
    const store = createMemoryPresenceStore();
    const state = JSON.parse('{"__proto__":{"polluted":true},"ok":1}') as PresenceRow['state'];
    store.upsert(makeRow('a', 100, { state }));
    const got = store.get(makeRow('a', 100).id) as PresenceRow;
    expect(Object.keys(got.state)).toEqual(['__proto__', 'ok']);
    expect(JSON.stringify(got.state)).toBe(JSON.stringify(state));
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  test('each call creates an independent store, under both names', () => {
    const first = createMemoryPresenceStore();
    const second = createInMemoryPresenceStore();
    first.upsert(makeRow('a', 100));
    expect(second.rows()).toEqual([]);
  });
});
