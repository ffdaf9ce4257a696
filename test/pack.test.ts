import { describe, expect, it } from 'vitest';
import { createReferenceEngine } from '../spec/engine.js';
import { createPresenceHarness } from '../spec/harness.js';
import {
  createMemoryPresenceStore,
  createPresencePack,
  isCurrentlyTyping,
  type PresenceRow,
  type PresenceStore,
} from '../src/index.js';

const alice = { userId: 'alice', tenant: 't1' };
const bob = { userId: 'bob', tenant: 't1' };
const scoped = { scope: (ctx: Record<string, unknown>) => ctx['tenant'] };

describe('what 0.3 users rely on', () => {
  it('a heartbeat inserts, and the next one updates the same row without a duplicate', async () => {
    const h = createPresenceHarness();
    const first = await h.as(alice).heartbeat('doc', { state: { color: 'red' } });
    h.clock.advance(1000);
    const second = await h.as(alice).heartbeat('doc', { state: { color: 'blue' } });
    expect(second.id).toBe(first.id);
    expect(await h.store.rows()).toEqual([second]);
    expect(second).toMatchObject({ actorId: 'alice', channel: 'doc', state: { color: 'blue' }, heartbeatAt: h.clock.now() });
    expect(second.expiresAt).toBe(h.clock.now() + 30_000);
  });

  it('a leave removes only the caller', async () => {
    const h = createPresenceHarness();
    await h.as(alice).heartbeat('doc');
    await h.as(bob).heartbeat('doc');
    expect(await h.as(alice).leave('doc')).toEqual({ removed: 1 });
    expect((await h.members(bob, 'doc')).map((row) => row.actorId)).toEqual(['bob']);
    expect(await h.as(alice).leave('doc')).toEqual({ removed: 0 });
  });

  it('cleanup deletes expired rows, keeps live ones, and tells subscribers', async () => {
    const h = createPresenceHarness({ config: { heartbeatTtlSec: 10 } });
    await h.as(alice).heartbeat('doc');
    h.clock.advance(5000);
    await h.as(bob).heartbeat('doc');
    const view = await h.watch(bob, 'doc');
    h.clock.advance(5000); // alice's row expires exactly now: expiresAt <= now
    await h.cleanup();
    expect((await h.store.rows()).map((row) => row.actorId)).toEqual(['bob']);
    expect(view.rows().map((row) => row.actorId)).toEqual(['bob']);
    expect(view.diffs.at(-1)?.removed.map((row) => row.actorId)).toEqual(['alice']);
  });

  it('two scopes never see each other', async () => {
    const h = createPresenceHarness({ config: scoped });
    const other = { userId: 'carol', tenant: 't2' };
    const view = await h.watch(other, 'doc');
    await h.as(alice).heartbeat('doc');
    expect(await h.members(other, 'doc')).toEqual([]);
    expect(view.rows()).toEqual([]);
    expect(view.diffs).toEqual([]);
    expect((await h.members(bob, 'doc')).map((row) => row.actorId)).toEqual(['alice']);
  });

  it('two prefixed packs coexist on one engine and share nothing', async () => {
    const engine = createReferenceEngine();
    const docs = createPresenceHarness({ engine, config: { prefix: 'docs_' } });
    const chat = createPresenceHarness({ engine, config: { prefix: 'chat_' } });
    await docs.as(alice).heartbeat('room');
    expect(await chat.members(alice, 'room')).toEqual([]);
    expect(await docs.members(alice, 'room')).toHaveLength(1);
    expect(engine.inspect().mutations).toEqual(
      expect.arrayContaining(['docs_presence:heartbeat', 'chat_presence:heartbeat', 'docs_presence:typing', 'chat_presence:cursor']),
    );
    expect(engine.listSchedules().map((schedule) => schedule.name).sort()).toEqual(['chat_presence:cleanup', 'docs_presence:cleanup']);
    expect(engine.inspect().packs.map((pack) => pack.ownsTables)).toEqual([['docs_presence'], ['chat_presence']]);
  });

  it('an expired row is not delivered to a fresh subscription, cleaned or not', async () => {
    const h = createPresenceHarness({ config: { heartbeatTtlSec: 10 } });
    await h.as(alice).heartbeat('doc');
    h.clock.advance(10_000);
    expect((await h.watch(bob, 'doc')).rows()).toEqual([]);
    expect(await h.members(bob, 'doc')).toEqual([]);
    expect(await h.store.rows()).toHaveLength(1);
  });

  it('writes with no actor are rejected and change nothing', async () => {
    const h = createPresenceHarness();
    for (const ctx of [{}, { userId: '' }, { userId: null }, { userId: { id: 1 } }]) {
      await expect(h.as(ctx).heartbeat('doc')).rejects.toMatchObject({ code: 'MISSING_ACTOR' });
    }
    expect(await h.store.rows()).toEqual([]);
  });

  it('cursor and typing patch state without touching the TTL', async () => {
    const h = createPresenceHarness({ config: { typingTtlSec: 5 } });
    const joined = await h.as(alice).heartbeat('doc', { state: { name: 'Alice' } });
    h.clock.advance(2000);
    const moved = await h.as(alice).cursor('doc', { x: 1, y: 2 });
    const typing = await h.as(alice).typing('doc', true);
    expect(typing.state).toEqual({ name: 'Alice', cursor: { x: 1, y: 2 }, typing: true, typingExpiresAt: h.clock.now() + 5000 });
    for (const row of [moved, typing]) {
      expect(row.expiresAt).toBe(joined.expiresAt);
      expect(row.heartbeatAt).toBe(joined.heartbeatAt);
    }
    expect(isCurrentlyTyping(typing, h.clock.now())).toBe(true);
    expect(isCurrentlyTyping(typing, h.clock.now() + 5000)).toBe(false);
    expect((await h.as(alice).typing('doc', false)).state).toMatchObject({ typing: false, typingExpiresAt: null });
  });

  it('cursor and typing fail without a heartbeat', async () => {
    const h = createPresenceHarness();
    await expect(h.as(alice).cursor('doc', 1)).rejects.toMatchObject({ code: 'NOT_PRESENT' });
    await expect(h.as(alice).typing('doc', true)).rejects.toMatchObject({ code: 'NOT_PRESENT' });
    expect(await h.store.rows()).toEqual([]);
  });

  it('inspect().packs lists the pack under its npm name, with its version and table', () => {
    const engine = createReferenceEngine();
    engine.registerPack(createPresencePack());
    expect(engine.inspect().packs).toEqual([{ name: '@absolutejs/sync-pack-presence', version: '1.0.0', ownsTables: ['presence'], readsTables: [] }]);
    expect(engine.inspect().schedules).toEqual([{ name: 'presence:cleanup', pattern: '*/15 * * * * *' }]);
    expect(engine.listSchedules().map(({ name, pattern }) => ({ name, pattern }))).toEqual([{ name: 'presence:cleanup', pattern: '*/15 * * * * *' }]);
  });

  it("names two prefixed packs alike, so the engine's conflict message names the table that collides", () => {
    const engine = createReferenceEngine();
    engine.registerPack(createPresencePack({ prefix: 'docs_' }));
    expect(() => engine.registerPack(createPresencePack({ prefix: 'docs_' }))).toThrow(
      'Pack "@absolutejs/sync-pack-presence" claims table "docs_presence", but "@absolutejs/sync-pack-presence" already owns it. Use a tablePrefix on one of them.',
    );
  });
});

describe('what 0.3 got wrong', () => {
  it('channel and actor ids containing ":" never collide', async () => {
    const h = createPresenceHarness();
    await h.as({ userId: 'c' }).heartbeat('a:b');
    await h.as({ userId: 'b:c' }).heartbeat('a');
    expect(await h.store.rows()).toHaveLength(2);
    expect((await h.members(alice, 'a:b')).map((row) => row.actorId)).toEqual(['c']);
    expect((await h.members(alice, 'a')).map((row) => row.actorId)).toEqual(['b:c']);
  });

  it('the same actor id in two scopes gets two rows', async () => {
    const h = createPresenceHarness({ config: scoped });
    await h.as({ userId: 'u', tenant: 't1' }).heartbeat('doc', { state: { t: 1 } });
    await h.as({ userId: 'u', tenant: 't2' }).heartbeat('doc', { state: { t: 2 } });
    expect((await h.members({ tenant: 't1' }, 'doc')).map((row) => row.state)).toEqual([{ t: 1 }]);
    expect((await h.members({ tenant: 't2' }, 'doc')).map((row) => row.state)).toEqual([{ t: 2 }]);
  });

  it('two sessions of one actor are two members, and closing one tab keeps the other', async () => {
    const h = createPresenceHarness();
    await h.as(alice).heartbeat('doc', { session: 'tab-1' });
    await h.as(alice).heartbeat('doc', { session: 'tab-2' });
    expect(await h.members(bob, 'doc')).toHaveLength(2);
    expect(await h.as(alice).leave('doc', 'tab-1')).toEqual({ removed: 1 });
    expect((await h.members(bob, 'doc')).map((row) => row.sessionId)).toEqual(['tab-2']);
  });

  it('a leave without a session removes every session of the caller in the channel, and no one else', async () => {
    const h = createPresenceHarness();
    await h.as(alice).heartbeat('doc', { session: 'tab-1' });
    await h.as(alice).heartbeat('doc', { session: 'tab-2' });
    await h.as(alice).heartbeat('other', { session: 'tab-1' });
    await h.as(bob).heartbeat('doc', { session: 'tab-1' });
    expect(await h.as(alice).leave('doc')).toEqual({ removed: 2 });
    expect((await h.store.rows()).map((row) => `${row.actorId}@${row.channel}`).sort()).toEqual(['alice@other', 'bob@doc']);
  });

  it('a patch on an expired row that cleanup has not removed yet fails and does not resurrect it', async () => {
    const h = createPresenceHarness({ config: { heartbeatTtlSec: 10 } });
    await h.as(alice).heartbeat('doc');
    h.clock.advance(10_000);
    await expect(h.as(alice).cursor('doc', 1)).rejects.toMatchObject({ code: 'NOT_PRESENT' });
    await expect(h.as(alice).typing('doc', true)).rejects.toMatchObject({ code: 'NOT_PRESENT' });
    expect(await h.members(bob, 'doc')).toEqual([]);
    expect((await h.store.rows())[0]!.state).toEqual({});
  });

  it('a heartbeat landing between cleanup reading the clock and deleting is not lost', async () => {
    const inner = createMemoryPresenceStore();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const store: PresenceStore = {
      ...inner,
      sweep: async (now, limit) => {
        await gate;
        return inner.sweep(now, limit);
      },
    };
    const h = createPresenceHarness({ config: { store, heartbeatTtlSec: 10 } });
    await h.as(alice).heartbeat('doc');
    const view = await h.watch(bob, 'doc');
    h.clock.advance(10_000);
    const cleaning = h.cleanup(); // decides `now` while alice is expired
    await h.as(alice).heartbeat('doc'); // then alice renews
    release();
    await cleaning;
    expect((await h.members(bob, 'doc')).map((row) => row.actorId)).toEqual(['alice']);
    expect(view.rows().map((row) => row.actorId)).toEqual(['alice']);
    expect(view.diffs.flatMap((diff) => diff.removed)).toEqual([]);
  });

  it('a write rule stops a caller from deleting or patching someone else’s row through the table', async () => {
    const h = createPresenceHarness({ config: scoped });
    const row = await h.as(alice).heartbeat('doc');
    h.engine.registerMutation({
      name: 'evil:delete',
      handler: (_args: unknown, _ctx: unknown, actions) => actions.delete(h.names.table, row),
    });
    h.engine.registerMutation({
      name: 'evil:update',
      handler: (_args: unknown, _ctx: unknown, actions) => actions.update(h.names.table, { ...row, state: { pwned: true } }),
    });
    h.engine.registerMutation({
      name: 'evil:insert',
      handler: (_args: unknown, _ctx: unknown, actions) => actions.insert(h.names.table, { ...row, heartbeatAt: row.heartbeatAt + 1 }),
    });
    for (const name of ['evil:delete', 'evil:update', 'evil:insert']) {
      await expect(h.engine.runMutation(name, {}, bob)).rejects.toThrow(/Not authorized/);
    }
    expect(await h.store.rows()).toEqual([row]);
  });
});

describe('channel access and limits', () => {
  it.each([
    ['sync', (channel: string, ctx: Record<string, unknown>) => ctx['userId'] === 'alice' || channel === 'lobby'],
    ['async', async (channel: string, ctx: Record<string, unknown>) => ctx['userId'] === 'alice' || channel === 'lobby'],
  ])('a %s canAccessChannel gates subscribe and every mutation', async (_kind, canAccessChannel) => {
    const h = createPresenceHarness({ config: { canAccessChannel } });
    await h.as(alice).heartbeat('secret');
    const denied = { code: 'CHANNEL_DENIED' };
    await expect(h.as(bob).heartbeat('secret')).rejects.toMatchObject(denied);
    await expect(h.as(bob).leave('secret')).rejects.toMatchObject(denied);
    await expect(h.as(bob).cursor('secret', 1)).rejects.toMatchObject(denied);
    await expect(h.as(bob).typing('secret', true)).rejects.toMatchObject(denied);
    await expect(h.watch(bob, 'secret')).rejects.toMatchObject(denied);
    await expect(h.members(bob, 'secret')).rejects.toMatchObject(denied);
    await expect(h.as(bob).heartbeat('lobby')).resolves.toMatchObject({ actorId: 'bob' });
    expect((await h.store.rows()).map((row) => row.actorId).sort()).toEqual(['alice', 'bob']);
  });

  it('a full channel refuses a new member but still renews existing ones', async () => {
    const h = createPresenceHarness({ config: { limits: { maxMembersPerChannel: 1 }, heartbeatTtlSec: 10 } });
    await h.as(alice).heartbeat('doc');
    await expect(h.as(bob).heartbeat('doc')).rejects.toMatchObject({ code: 'CHANNEL_FULL' });
    await expect(h.as(alice).heartbeat('doc')).resolves.toMatchObject({ actorId: 'alice' });
    h.clock.advance(10_000); // alice expires: the seat frees up even before cleanup
    await expect(h.as(bob).heartbeat('doc')).resolves.toMatchObject({ actorId: 'bob' });
  });

  it('a state that grows past the limit through a patch is refused and the row is unchanged', async () => {
    const h = createPresenceHarness({ config: { limits: { maxStateBytes: 64 } } });
    const row = await h.as(alice).heartbeat('doc', { state: { name: 'Alice' } });
    await expect(h.as(alice).cursor('doc', 'x'.repeat(64))).rejects.toMatchObject({ code: 'STATE_TOO_LARGE' });
    expect(await h.store.rows()).toEqual([row]);
  });

  it('the pack reports its name and version from package.json', async () => {
    const { readFile } = await import('node:fs/promises');
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
    expect(createPresencePack()).toMatchObject({ name: pkg.name, version: pkg.version });
  });
});

describe('a store written for 0.3', () => {
  it('is accepted through the adapter and runs the whole lifecycle', async () => {
    const rows = new Map<string, PresenceRow>();
    const legacy = {
      reader: { all: () => [...rows.values()] },
      writer: {
        insert: (row: PresenceRow) => void rows.set(row.id, row),
        update: (row: PresenceRow) => void rows.set(row.id, row),
        delete: (row: PresenceRow) => void rows.delete(row.id),
      },
      expired: (now: number) => [...rows.values()].filter((row) => row.expiresAt <= now),
    };
    const engine = createReferenceEngine();
    let now = 1000;
    const pack = createPresencePack({ store: legacy, now: () => now, heartbeatTtlSec: 10 });
    engine.registerPack(pack);
    await engine.runMutation('presence:heartbeat', { channel: 'doc', state: { a: 1 } }, alice);
    await engine.runMutation('presence:cursor', { channel: 'doc', cursor: 3 }, alice);
    await engine.runMutation('presence:heartbeat', { channel: 'doc' }, bob);
    expect(await engine.hydrate('presence', { channel: 'doc' }, alice)).toHaveLength(2);
    expect([...rows.values()].find((row) => row.actorId === 'alice')?.state).toEqual({ a: 1, cursor: 3 });
    await engine.runMutation('presence:leave', { channel: 'doc' }, bob);
    now += 10_000;
    await engine.runSchedule('presence:cleanup');
    expect(rows.size).toBe(0);
  });
});
