/** The reference model states the rules it is trusted for; these properties pin them down. */
import fc from 'fast-check';
import { test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { deepEqual, sameRows } from '../spec/equal.js';
import { PresenceModel } from '../spec/model.js';
import { basicUniverse, rowIn } from '../spec/store/universe.js';

const row = rowIn(basicUniverse);
const sameId = fc.tuple(row, row).map(([stored, incoming]) => [stored, { ...incoming, ...pickIdentity(stored) }] as const);
function pickIdentity(source: { id: string; scope: string; channel: string; actorId: string; sessionId: string }) {
  const { id, scope, channel, actorId, sessionId } = source;
  return { id, scope, channel, actorId, sessionId };
}

describe('PresenceModel', () => {
  test.prop([sameId])('a write wins iff its heartbeatAt is not older, and expiresAt takes the maximum', ([stored, incoming]) => {
    const model = new PresenceModel();
    model.upsert(stored);
    const result = model.upsert(incoming);
    const winner = incoming.heartbeatAt >= stored.heartbeatAt ? incoming : stored;
    expect(result).toEqual({ ...winner, expiresAt: Math.max(stored.expiresAt, incoming.expiresAt) });
    expect(model.get(stored.id)).toEqual(result);
  });

  test.prop([fc.array(row), row])('update never inserts, and merges like upsert when the id is stored', (rows, incoming) => {
    const model = new PresenceModel();
    const twin = new PresenceModel();
    for (const stored of rows) {
      model.upsert(stored);
      twin.upsert(stored);
    }
    const existed = model.get(incoming.id) !== undefined;
    const updated = model.update(incoming);
    if (existed) expect(updated).toEqual(twin.upsert(incoming));
    else expect(updated).toBeUndefined();
    expect(sameRows(model.rows(), twin.rows())).toBe(true);
  });

  test.prop([fc.array(row), fc.integer({ min: 0, max: 50 })])('live and expired rows partition the store at every instant', (rows, now) => {
    const model = new PresenceModel();
    for (const stored of rows) model.upsert(stored);
    const live = basicUniverse.channels.flatMap(([scope, channel]) => model.channel(scope, channel, now));
    expect(live.every((stored) => stored.expiresAt > now)).toBe(true);
    expect(model.expired(now).every((stored) => stored.expiresAt <= now)).toBe(true);
    expect(sameRows([...live, ...model.expired(now)], model.rows())).toBe(true);
  });

  test.prop([fc.array(row, { minLength: 1 })])('hands out copies only, and keeps none of the rows it is given', (rows) => {
    const model = new PresenceModel();
    for (const stored of rows) model.upsert(stored);
    const before = model.rows();
    const first = model.get(rows[0]?.id ?? '');
    const rewrite = first === undefined ? undefined : structuredClone(first);
    const handedOut = [...model.rows(), first, rewrite === undefined ? undefined : model.upsert(rewrite), rewrite];
    for (const value of handedOut) if (value !== undefined) (value.state as Record<string, unknown>)['x'] = 1;
    expect(sameRows(model.rows(), before)).toBe(true);
  });
});

describe('deepEqual', () => {
  test('compares numbers as JSON does: -0 equals 0, nothing else changes', () => {
    expect(deepEqual({ a: [-0] }, { a: [0] })).toBe(true);
    expect(deepEqual({ a: [1e-300] }, { a: [0] })).toBe(false);
  });

  test.prop([fc.jsonValue()])('holds between a JSON value and its copy with keys reversed', (value) => {
    const reversed = JSON.parse(JSON.stringify(value), (_key, inner: unknown) =>
      inner !== null && typeof inner === 'object' && !Array.isArray(inner) ? Object.fromEntries(Object.entries(inner).reverse()) : inner,
    ) as unknown;
    expect(deepEqual(value, reversed)).toBe(true);
  });

  test.prop([fc.jsonValue(), fc.jsonValue()])('agrees with canonical JSON comparison', (left, right) => {
    const canonical = (value: unknown): string =>
      JSON.stringify(value, (_key, inner: unknown) =>
        inner !== null && typeof inner === 'object' && !Array.isArray(inner) ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : 1))) : inner,
      );
    expect(deepEqual(left, right)).toBe(canonical(left) === canonical(right));
  });
});
