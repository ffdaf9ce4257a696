import { describe, expect, it } from 'vitest';
import { adaptLegacyPresenceStore, isLegacyPresenceStore, presenceRowId, type LegacyPresenceRow, type PresenceRow } from '../src/index.js';

/** A 0.3-style store over a Map, as users wrote them. */
const legacyStore = () => {
  const rows = new Map<string, LegacyPresenceRow>();
  return {
    rows,
    store: {
      reader: { all: async () => rows.values() },
      writer: {
        insert: async (row: PresenceRow) => void rows.set(row.id, row),
        update: async (row: PresenceRow) => void rows.set(row.id, row),
        delete: async (row: PresenceRow) => void rows.delete(row.id),
      },
      expired: async (now: number) => [...rows.values()].filter((row) => row.expiresAt <= now),
    },
  };
};

const make = (actorId: string, expiresAt: number, heartbeatAt = 0, state = {}): PresenceRow => {
  const identity = { scope: 's', channel: 'c', actorId, sessionId: '' };
  return { id: presenceRowId(identity), ...identity, state, expiresAt, heartbeatAt };
};

describe('the 0.3 store adapter', () => {
  it('recognises the 0.3 shape and nothing else', () => {
    expect(isLegacyPresenceStore(legacyStore().store)).toBe(true);
    expect(isLegacyPresenceStore({ reader: {}, writer: {} })).toBe(false);
  });

  it('merges last-writer-wins with a growing expiresAt, and never inserts on update', async () => {
    const { store } = legacyStore();
    const adapted = adaptLegacyPresenceStore(store);
    expect(await adapted.update(make('a', 10))).toBeUndefined();
    expect(await adapted.rows()).toEqual([]);
    await adapted.upsert(make('a', 10, 5, { v: 1 }));
    expect(await adapted.upsert(make('a', 20, 4, { v: 0 }))).toEqual(make('a', 20, 5, { v: 1 }));
    expect(await adapted.update(make('a', 15, 6, { v: 2 }))).toEqual(make('a', 20, 6, { v: 2 }));
  });

  it('reads rows written by 0.3 without a sessionId as session ""', async () => {
    const { rows, store } = legacyStore();
    const { sessionId: _dropped, ...old } = make('a', 10);
    rows.set(old.id, old);
    expect(await adaptLegacyPresenceStore(store).get(old.id)).toEqual(make('a', 10));
  });

  it('removes one id, lists live channel members, and sweeps with a limit', async () => {
    const { store } = legacyStore();
    const adapted = adaptLegacyPresenceStore(store);
    for (const [actor, expiresAt] of [['a', 5], ['b', 6], ['c', 50]] as const) await adapted.upsert(make(actor, expiresAt));
    expect(await adapted.remove(make('zz', 0).id)).toBeUndefined();
    expect((await adapted.channel('s', 'c', 5)).map((row) => row.actorId).sort()).toEqual(['b', 'c']);
    expect(await adapted.sweep(10, 1)).toHaveLength(1);
    expect(await adapted.sweep(10)).toHaveLength(1);
    expect(await adapted.remove(make('c', 0).id)).toEqual(make('c', 50));
    expect(await adapted.rows()).toEqual([]);
  });

  it('sweep re-reads each candidate and spares a row refreshed after the expired() query', async () => {
    const { rows, store } = legacyStore();
    const adapted = adaptLegacyPresenceStore({
      ...store,
      expired: async (now: number) => {
        const listed = await store.expired(now);
        rows.set(make('a', 0).id, make('a', 100, 9)); // a heartbeat lands in between
        return listed;
      },
    });
    await adapted.upsert(make('a', 5));
    expect(await adapted.sweep(10)).toEqual([]);
    expect(await adapted.rows()).toEqual([make('a', 100, 9)]);
  });
});
