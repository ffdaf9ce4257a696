import { describe, expect, it } from 'vitest';
import { createPresenceHarness } from '../spec/harness.js';
import { createMemoryPresenceStore, createPresencePack, presenceRowId, type PresenceRow, type PresenceStore } from '../src/index.js';

const identity = { scope: 't1', channel: 'doc', actorId: 'alice', sessionId: '' };
const row: PresenceRow = { id: presenceRowId(identity), ...identity, state: {}, expiresAt: 100, heartbeatAt: 50 };

describe('table surfaces', () => {
  const pack = createPresencePack({ scope: (ctx) => (ctx['tenant'] as string).toString() });
  const rules = pack.permissions!['presence']!;

  it('the read rule admits the caller’s scope only, and a ctx that breaks scope() reads nothing', () => {
    expect(rules.read!({ tenant: 't1' }, row)).toBe(true);
    expect(rules.read!({ tenant: 't2' }, row)).toBe(false);
    expect(rules.read!({}, row)).toBe(false);
  });

  it('the write rule admits the row’s own actor in its own scope only, and a broken ctx writes nothing', () => {
    expect(rules.write!({ tenant: 't1', userId: 'alice' }, row)).toBe(true);
    expect(rules.write!({ tenant: 't1', userId: 'bob' }, row)).toBe(false);
    expect(rules.write!({ tenant: 't2', userId: 'alice' }, row)).toBe(false);
    expect(rules.write!({ userId: 'alice' }, row)).toBe(false);
    expect(rules.write!({ tenant: 't1' }, row)).toBe(false);
  });

  it('the reader lists every row, gets by key with undefined on a miss, and keys rows by id', async () => {
    const store = createMemoryPresenceStore();
    const reader = createPresencePack({ store }).readers!['presence']!;
    await store.upsert(row);
    expect(await reader.all({})).toEqual([row]);
    expect(await reader.get!(row.id, {})).toEqual(row);
    expect(await reader.get!('missing', {})).toBeUndefined();
    expect(reader.key!(row)).toBe(row.id);
  });

  it('a patch whose row vanished between the read and the write is NOT_PRESENT, not a resurrection', async () => {
    const inner = createMemoryPresenceStore();
    const store: PresenceStore = { ...inner, update: async (next) => (await inner.remove(next.id), undefined) };
    const h = createPresenceHarness({ config: { store } });
    await h.as({ userId: 'alice' }).heartbeat('doc');
    await expect(h.as({ userId: 'alice' }).cursor('doc', 1)).rejects.toMatchObject({ code: 'NOT_PRESENT' });
    expect(await inner.rows()).toEqual([]);
  });

  it('a channel gate must answer exactly true: a truthy non-boolean is a denial', async () => {
    const h = createPresenceHarness({ config: { canAccessChannel: () => 'yes' as unknown as boolean } });
    await expect(h.as({ userId: 'alice' }).heartbeat('doc')).rejects.toMatchObject({ code: 'CHANNEL_DENIED' });
  });

  it('the collection’s match says no, rather than throwing, for a ctx that breaks scope()', () => {
    const match = pack.collections![0]!.match!;
    expect(match(row, { channel: 'doc' }, {})).toBe(false);
  });

  it('a cron pattern that is not a string is a config error', () => {
    expect(() => createPresencePack({ cleanupCron: 15 as unknown as string })).toThrow(expect.objectContaining({ code: 'INVALID_CRON' }));
  });
});
