import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { createPresenceClient, heartbeatDelay, type PresenceClientOptions, type PresenceView } from '../../src/client/index.js';
import { PresenceError, type PresencePackConfig } from '../../src/index.js';
import { createServer, type EngineHandle, type Server } from './engine-handle.js';
import { createWorld, fakeStorage, type FakeTab, type FakeWorld } from './world.js';

const CHANNEL = 'doc:1';
const TTL_SEC = 30;

interface Setup {
  world: FakeWorld;
  server: Server;
  /** Server clock minus local clock. */
  skew: number;
}

const setup = async (options: { skew?: number; config?: PresencePackConfig; frames?: boolean; random?: () => number } = {}): Promise<Setup> => {
  const world = createWorld({ frames: options.frames ?? false, ...(options.random ? { random: options.random } : {}) });
  const skew = options.skew ?? 0;
  const server = await createServer(() => world.now() + skew, { heartbeatTtlSec: TTL_SEC, ...options.config });
  return { world, server, skew };
};

const join = async (
  s: Setup,
  userId: string,
  extra: Partial<PresenceClientOptions> = {},
  tab: FakeTab = s.world.tab(),
): Promise<{ handle: EngineHandle; client: ReturnType<typeof createPresenceClient>; tab: FakeTab }> => {
  const handle = await s.server.connect({ userId }, CHANNEL);
  const client = createPresenceClient({
    handle,
    channel: CHANNEL,
    heartbeatTtlSec: TTL_SEC,
    environment: tab.env,
    state: { name: userId },
    ...extra,
  });
  await s.world.advance(0);
  return { handle, client, tab };
};

const names = (view: PresenceView): string[] => view.members.map((m) => `${m.actorId}${m.isSelf ? '*' : ''}`);
const sent = (handle: EngineHandle, suffix: string) => handle.calls.filter((call) => call.name.endsWith(suffix));
const serverRow = async (s: Setup, sessionId: string) =>
  (await s.server.engine.hydrate<{ sessionId: string; expiresAt: number; state: Record<string, unknown> }>(
    s.server.names.collection,
    { channel: CHANNEL },
    { userId: 'observer' },
  )).find((row) => row.sessionId === sessionId);

describe('joining and the members view', () => {
  test('the first heartbeat goes out at once with the state, and both tabs see each other, each marked self once', async () => {
    const s = await setup();
    const ada = await join(s, 'ada');
    expect(sent(ada.handle, ':heartbeat')[0]?.args).toEqual({ channel: CHANNEL, session: ada.client.sessionId, state: { name: 'ada' } });
    const bob = await join(s, 'bob');
    await s.world.advance(0);
    expect(names(ada.client.get())).toEqual(['ada*', 'bob']);
    expect(names(bob.client.get())).toEqual(['ada', 'bob*']);
    expect(bob.client.get().self?.actorId).toBe('bob');
    expect(ada.client.get().members[1]?.state).toEqual({ name: 'bob' });
  });

  test('a prefixed pack is driven by its own names', async () => {
    const s = await setup({ config: { prefix: 'docs_' } });
    const ada = await join(s, 'ada', { prefix: 'docs_' });
    ada.client.moveCursor({ x: 1 });
    await s.world.advance(100);
    expect(ada.handle.calls.map((call) => call.name)).toEqual(['docs_presence:heartbeat', 'docs_presence:cursor']);
    expect(ada.client.get().self?.state).toEqual({ name: 'ada', cursor: { x: 1 } });
  });

  test('a bare heartbeat of another member (only expiresAt moves) yields no new snapshot; a cursor move does', async () => {
    const s = await setup();
    const ada = await join(s, 'ada');
    const bob = await join(s, 'bob');
    await s.world.advance(0);
    const before = ada.client.get();
    const notified: PresenceView[] = [];
    ada.client.subscribe(() => notified.push(ada.client.get()));
    await bob.client.heartbeat();
    await s.world.advance(0);
    expect(ada.client.get()).toBe(before);
    expect(notified).toEqual([]);
    bob.client.moveCursor({ x: 5 });
    await s.world.advance(100);
    const after = ada.client.get();
    expect(after).not.toBe(before);
    expect(after.members[0]).toBe(before.members[0]); // ada's own member object is reused
    expect(after.members[1]?.state['cursor']).toEqual({ x: 5 });
  });

  test('a member whose removal never arrives disappears when its lease ends, by the server clock, an hour off the local one', async () => {
    const s = await setup({ skew: 3_600_000 });
    const ada = await join(s, 'ada');
    const bob = await join(s, 'bob');
    await s.world.advance(0);
    expect(names(ada.client.get())).toEqual(['ada*', 'bob']);
    expect(Math.abs(ada.client.serverNow() - (s.world.now() + s.skew))).toBeLessThanOrEqual(0);
    // Bob's tab freezes: no heartbeat, no leave. Ada's subscription never hears of a removal (no cleanup runs).
    bob.client.dispose = () => undefined;
    bob.handle.mutate = () => new Promise(() => undefined);
    await s.world.advance(TTL_SEC * 1000 - 1);
    expect(names(ada.client.get())).toEqual(['ada*', 'bob']);
    await s.world.advance(2);
    expect(names(ada.client.get())).toEqual(['ada*']);
  });

  test.prop([fc.integer({ min: -86_400_000, max: 86_400_000 }), fc.array(fc.integer({ min: 0, max: 2000 }), { minLength: 1, maxLength: 6 })], { numRuns: 40 })(
    'the server clock estimate is off by at most half the shortest round trip',
    async (skew, delays) => {
      const s = await setup({ skew });
      const ada = await join(s, 'ada');
      let next = 0;
      ada.handle.intercept = (call) => {
        if (!call.name.endsWith(':heartbeat')) return undefined;
        const delay = delays[next % delays.length] ?? 0;
        next += 1;
        // The server handles the call half-way, then the ack travels back.
        return new Promise((resolve, reject) => {
          const half = Math.floor(delay / 2);
          s.world.env.setTimeout(() => {
            const answer = s.server.engine.runMutation(call.name, call.args, { userId: 'ada' });
            s.world.env.setTimeout(() => void answer.then(resolve, reject), delay - half);
          }, half);
        });
      };
      for (let i = 0; i < delays.length; i += 1) {
        const beat = ada.client.heartbeat();
        await s.world.advance(2001);
        await beat;
      }
      const shortest = Math.min(...delays.slice(0, next));
      expect(Math.abs(ada.client.serverNow() - (s.world.now() + skew))).toBeLessThanOrEqual(shortest / 2 + 1);
    },
  );
});

describe('the lease', () => {
  test.prop([fc.double({ min: 0.5, max: 120, noNaN: true }), fc.double({ min: 0, max: 0.999999, noNaN: true }), fc.boolean()])(
    'the heartbeat period is at most a third of the TTL while visible and half while hidden, jittered by at most 10%',
    (ttlSec, random, hidden) => {
      const ttl = ttlSec * 1000;
      const delay = heartbeatDelay(ttl, hidden, random);
      const period = hidden ? ttl / 2 : ttl / 3;
      expect(delay).toBeLessThanOrEqual(period);
      expect(delay).toBeGreaterThan(period * 0.9 - 1e-9);
    },
  );

  test.prop(
    [
      fc.integer({ min: 1, max: 60 }),
      fc.array(fc.record({ ms: fc.integer({ min: 0, max: 40_000 }), toggle: fc.boolean() }), { minLength: 1, maxLength: 25 }),
      fc.double({ min: 0, max: 0.999999, noNaN: true }),
    ],
    { numRuns: 30 },
  )('while visible or hidden the row stays live on the server at every step, with no heartbeat burst', async (ttlSec, steps, jitter) => {
    const s = await setup({ config: { heartbeatTtlSec: ttlSec }, random: () => jitter });
    const ada = await join(s, 'ada', { heartbeatTtlSec: ttlSec });
    for (const step of steps) {
      if (step.toggle) {
        ada.tab.document.visibilityState = ada.tab.document.visibilityState === 'hidden' ? 'visible' : 'hidden';
        ada.tab.document.dispatch('visibilitychange');
      }
      for (let left = step.ms; left > 0; left -= 500) {
        await s.world.advance(Math.min(500, left));
        const row = await serverRow(s, ada.client.sessionId);
        expect(row?.expiresAt ?? 0).toBeGreaterThan(s.world.now());
      }
    }
    const total = steps.reduce((sum, step) => sum + step.ms, 0);
    const becameVisible = steps.filter((step) => step.toggle).length;
    // One at start, one per period at most (a period is > 0.3 TTL), one per return to visible.
    expect(sent(ada.handle, ':heartbeat').length).toBeLessThanOrEqual(1 + Math.ceil(total / (ttlSec * 300)) + becameVisible);
  });

  test('a heartbeat goes out at once when the page becomes visible, comes back online, or the handle reconnects', async () => {
    const s = await setup();
    const ada = await join(s, 'ada');
    const count = () => sent(ada.handle, ':heartbeat').length;
    expect(count()).toBe(1);
    ada.tab.document.visibilityState = 'hidden';
    ada.tab.document.dispatch('visibilitychange');
    await s.world.advance(0);
    expect(count()).toBe(1);
    ada.tab.document.visibilityState = 'visible';
    ada.tab.document.dispatch('visibilitychange');
    await s.world.advance(0);
    expect(count()).toBe(2);
    ada.tab.window.dispatch('online');
    await s.world.advance(0);
    expect(count()).toBe(3);
    ada.handle.disconnect();
    await s.world.advance(0);
    expect(count()).toBe(3);
    await ada.handle.reconnect();
    await s.world.advance(0);
    expect(count()).toBe(4);
  });

  test('heartbeats never pile up: requests while one is in flight fold into a single follow-up', async () => {
    const s = await setup();
    const ada = await join(s, 'ada');
    ada.handle.disconnect();
    for (let i = 0; i < 5; i += 1) void ada.client.heartbeat();
    await s.world.advance(TTL_SEC * 3000);
    expect(sent(ada.handle, ':heartbeat').length).toBe(2); // the first, and the one held since the disconnect
    await ada.handle.reconnect();
    await s.world.advance(0);
    expect(sent(ada.handle, ':heartbeat').length).toBe(3);
  });

  test('after an outage longer than the TTL the row restarted empty, and the client puts its state and cursor back', async () => {
    const s = await setup();
    const ada = await join(s, 'ada');
    ada.client.moveCursor({ x: 3 });
    await s.world.advance(100);
    ada.handle.disconnect();
    await s.world.advance(TTL_SEC * 2000);
    expect(await serverRow(s, ada.client.sessionId)).toBeUndefined();
    await ada.handle.reconnect();
    await s.world.advance(0);
    expect((await serverRow(s, ada.client.sessionId))?.state).toEqual({ name: 'ada', cursor: { x: 3 } });
    expect(ada.client.get().self?.state).toEqual({ name: 'ada', cursor: { x: 3 } });
  });

  test('setState replaces the shared state through a heartbeat; later renewals are bare and keep the cursor', async () => {
    const s = await setup();
    const ada = await join(s, 'ada');
    await ada.client.setState({ name: 'Ada Lovelace' });
    ada.client.moveCursor({ x: 9 });
    await s.world.advance(TTL_SEC * 1000);
    const beats = sent(ada.handle, ':heartbeat');
    expect(beats[1]?.args).toEqual({ channel: CHANNEL, session: ada.client.sessionId, state: { name: 'Ada Lovelace' } });
    expect(beats.slice(2).every((call) => !('state' in (call.args as object)))).toBe(true);
    expect(ada.client.get().self?.state).toEqual({ name: 'Ada Lovelace', cursor: { x: 9 } });
  });
});

describe('leaving', () => {
  test('pagehide sends leave and pauses the loop; pageshow from the back/forward cache joins again', async () => {
    const s = await setup();
    const ada = await join(s, 'ada');
    const bob = await join(s, 'bob');
    ada.tab.window.dispatch('pagehide');
    await s.world.advance(0);
    expect(sent(ada.handle, ':leave')).toHaveLength(1);
    expect(names(bob.client.get())).toEqual(['bob*']);
    const beats = sent(ada.handle, ':heartbeat').length;
    ada.client.moveCursor({ x: 1 });
    await s.world.advance(TTL_SEC * 2000);
    expect(sent(ada.handle, ':heartbeat').length).toBe(beats);
    expect(sent(ada.handle, ':cursor')).toHaveLength(0);
    ada.tab.window.dispatch('pageshow', { persisted: true });
    await s.world.advance(0);
    expect(names(bob.client.get())).toEqual(['ada', 'bob*']);
  });

  test('a failed leave on pagehide is surfaced', async () => {
    const s = await setup();
    const errors: string[] = [];
    const ada = await join(s, 'ada', { onError: (error) => errors.push(`${error.operation}: ${error.message}`) });
    ada.handle.intercept = (call) => (call.name.endsWith(':leave') ? Promise.reject(new Error('socket closed')) : undefined);
    ada.tab.window.dispatch('pagehide');
    await s.world.advance(0);
    expect(errors).toEqual(['leave: socket closed']);
  });

  test('dispose() leaves, closes the handle and removes every timer and listener', async () => {
    const s = await setup({ frames: true });
    const ada = await join(s, 'ada');
    const bob = await join(s, 'bob');
    ada.client.moveCursor({ x: 1 });
    void ada.client.setTyping(true);
    await s.world.advance(5);
    ada.client.moveCursor({ x: 2 });
    bob.client.dispose();
    ada.client.dispose();
    ada.client.dispose();
    await s.world.advance(0);
    expect(sent(ada.handle, ':leave')).toHaveLength(1);
    expect(ada.handle.closed).toBe(true);
    expect(ada.handle.listenerCount()).toBe(0);
    expect(ada.tab.document.listenerCount()).toBe(0);
    expect(ada.tab.window.listenerCount()).toBe(0);
    expect(s.world.pendingTimers()).toBe(0);
    expect(ada.client.get().stopped).toBe(true);
    expect(await serverRow(s, ada.client.sessionId)).toBeUndefined();
    const calls = ada.handle.calls.length;
    ada.client.moveCursor({ x: 3 });
    await s.world.advance(TTL_SEC * 2000);
    expect(ada.handle.calls.length).toBe(calls);
  });
});

describe('one session per tab', () => {
  test('a reload keeps the id, a duplicated tab (a copy of the claimed storage) gets a fresh one, another channel its own', async () => {
    const s = await setup();
    const first = await join(s, 'ada');
    const duplicate = s.world.tab(fakeStorage(Object.fromEntries(first.tab.storage.entries)));
    first.tab.window.dispatch('pagehide'); // a reload unloads the page first
    const connect = (channel = CHANNEL) => s.server.connect({ userId: 'ada' }, channel);
    const reloaded = createPresenceClient({ handle: await connect(), channel: CHANNEL, environment: first.tab.env });
    expect(reloaded.sessionId).toBe(first.client.sessionId);
    const copy = createPresenceClient({ handle: await connect(), channel: CHANNEL, environment: duplicate.env });
    expect(copy.sessionId).not.toBe(first.client.sessionId);
    const other = createPresenceClient({ handle: await connect('doc:2'), channel: 'doc:2', environment: first.tab.env });
    expect(other.sessionId).not.toBe(first.client.sessionId);
  });

  test('without usable storage every client gets a fresh id', async () => {
    const s = await setup();
    const throwing = {
      getItem: (): string => {
        throw new Error('SecurityError');
      },
      setItem: (): void => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => undefined,
    };
    const env = { ...s.world.env, sessionStorage: throwing };
    const a = createPresenceClient({ handle: await s.server.connect({ userId: 'ada' }, CHANNEL), channel: CHANNEL, environment: env });
    a.dispose();
    const b = createPresenceClient({ handle: await s.server.connect({ userId: 'ada' }, CHANNEL), channel: CHANNEL, environment: env });
    expect(b.sessionId).not.toBe(a.sessionId);
  });

  test('two tabs of one user are two members, each seeing itself as self', async () => {
    const s = await setup();
    const tab1 = await join(s, 'ada');
    const tab2 = await join(s, 'ada');
    await s.world.advance(0);
    const bySession = (ids: string[]) => [...ids].sort();
    expect(bySession(tab1.client.get().members.map((m) => m.sessionId))).toEqual(bySession([tab1.client.sessionId, tab2.client.sessionId]));
    expect(tab1.client.get().members.filter((m) => m.isSelf).map((m) => m.sessionId)).toEqual([tab1.client.sessionId]);
    expect(tab2.client.get().members.filter((m) => m.isSelf).map((m) => m.sessionId)).toEqual([tab2.client.sessionId]);
  });
});

describe('cursor and typing', () => {
  test.prop(
    [fc.array(fc.record({ x: fc.nat(1000), gap: fc.integer({ min: 0, max: 120 }) }), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 100 }), fc.boolean()],
    { numRuns: 50 },
  )('cursor moves send at most one mutation per tick, and the last value always lands', async (moves, intervalMs, frames) => {
    const s = await setup({ frames });
    const ada = await join(s, 'ada', frames ? {} : { cursorIntervalMs: intervalMs });
    const tick = frames ? 16 : intervalMs;
    const start = s.world.now();
    for (const move of moves) {
      ada.client.moveCursor({ x: move.x });
      await s.world.advance(move.gap);
    }
    await s.world.advance(tick);
    const cursors = sent(ada.handle, ':cursor');
    const elapsed = s.world.now() - start;
    expect(cursors.length).toBeLessThanOrEqual(Math.floor(elapsed / tick) + 1);
    expect(cursors.at(-1)?.args).toMatchObject({ cursor: { x: moves.at(-1)?.x } });
    expect(ada.client.get().self?.state['cursor']).toEqual({ x: moves.at(-1)?.x });
  });

  test('typing shows on the other tab, is re-sent at most twice per typing TTL, and lapses there with no message', async () => {
    const s = await setup({ config: { typingTtlSec: 4 } });
    const ada = await join(s, 'ada', { typingTtlSec: 4 });
    const bob = await join(s, 'bob');
    for (let i = 0; i < 20; i += 1) {
      await ada.client.setTyping(true);
      await s.world.advance(100);
    }
    expect(sent(ada.handle, ':typing')).toHaveLength(1);
    expect(bob.client.get().members[0]?.isTyping).toBe(true);
    await s.world.advance(2000);
    await ada.client.setTyping(true);
    expect(sent(ada.handle, ':typing')).toHaveLength(2);
    await s.world.advance(4001);
    expect(bob.client.get().members[0]?.isTyping).toBe(false);
    expect(ada.client.get().self?.isTyping).toBe(false);
    await ada.client.setTyping(false); // already lapsed everywhere: nothing to send
    expect(sent(ada.handle, ':typing')).toHaveLength(2);
  });

  test('a full heartbeat (setState) replaces typing too, so a shown typing flag is sent again after it', async () => {
    const s = await setup();
    const ada = await join(s, 'ada');
    const bob = await join(s, 'bob');
    await ada.client.setTyping(true);
    await ada.client.setState({ name: 'Ada L.' });
    await s.world.advance(0);
    expect(sent(ada.handle, ':typing')).toHaveLength(2);
    expect(bob.client.get().members[0]).toMatchObject({ isTyping: true, state: { name: 'Ada L.', typing: true } });
  });

  test('setTyping(false) clears a shown typing flag at once', async () => {
    const s = await setup();
    const ada = await join(s, 'ada');
    const bob = await join(s, 'bob');
    await ada.client.setTyping(true);
    await s.world.advance(0);
    expect(bob.client.get().members[0]?.isTyping).toBe(true);
    await ada.client.setTyping(false);
    await s.world.advance(0);
    expect(bob.client.get().members[0]?.isTyping).toBe(false);
    expect(sent(ada.handle, ':typing').map((call) => (call.args as { typing: boolean }).typing)).toEqual([true, false]);
  });

  test('a patch rejected with NOT_PRESENT sends a full heartbeat and is retried once', async () => {
    const s = await setup();
    const ada = await join(s, 'ada');
    // The row vanished behind the client's back (a server restart of an in-memory store).
    await s.server.engine.runMutation(s.server.names.leave, { channel: CHANNEL, session: ada.client.sessionId }, { userId: 'ada' });
    ada.client.moveCursor({ x: 7 });
    await s.world.advance(100);
    expect(ada.handle.calls.slice(1).map((call) => call.name.split(':')[1])).toEqual(['leave', 'cursor', 'heartbeat', 'cursor'].slice(1));
    expect((ada.handle.calls.at(-2)?.args as { state?: unknown }).state).toEqual({ name: 'ada', cursor: { x: 7 } });
    expect(ada.client.get().self?.state).toEqual({ name: 'ada', cursor: { x: 7 } });
    expect(ada.client.get().error).toBeUndefined();
  });

  test('a second NOT_PRESENT is surfaced, not retried again', async () => {
    const s = await setup();
    const errors: unknown[] = [];
    const ada = await join(s, 'ada', { onError: (error) => errors.push(error) });
    ada.handle.intercept = (call) =>
      call.name.endsWith(':cursor') ? Promise.reject(new Error(new PresenceError('NOT_PRESENT', 'gone').message)) : undefined;
    ada.client.moveCursor({ x: 1 });
    await s.world.advance(100);
    expect(sent(ada.handle, ':cursor')).toHaveLength(2);
    expect(errors).toEqual([{ code: 'NOT_PRESENT', message: '[NOT_PRESENT] gone', operation: 'cursor' }]);
    expect(ada.client.get().error?.code).toBe('NOT_PRESENT');
    await s.world.advance(TTL_SEC * 1000);
    expect(ada.client.get().error).toBeUndefined(); // cleared by the next good heartbeat
  });
});

describe('errors', () => {
  test('CHANNEL_DENIED stops the loop and is surfaced; nothing more is sent', async () => {
    const s = await setup({ config: { canAccessChannel: () => false } });
    const errors: string[] = [];
    const ada = await join(s, 'ada', { onError: (error) => errors.push(`${error.operation}:${error.code}`) });
    await s.world.advance(0);
    expect(errors).toContain('subscribe:CHANNEL_DENIED');
    expect(ada.client.get()).toMatchObject({ stopped: true, error: { code: 'CHANNEL_DENIED' } });
    const calls = ada.handle.calls.length;
    ada.client.moveCursor({ x: 1 });
    await ada.client.setTyping(true);
    await ada.client.heartbeat();
    ada.tab.window.dispatch('online');
    await s.world.advance(TTL_SEC * 3000);
    expect(ada.handle.calls.length).toBe(calls);
    expect(s.world.pendingTimers()).toBe(0);
    ada.client.dispose();
    expect(sent(ada.handle, ':leave')).toHaveLength(0);
  });

  test('other failures are surfaced with their code (or none) and the loop keeps going', async () => {
    const s = await setup();
    const ada = await join(s, 'ada');
    let fail = true;
    ada.handle.intercept = (call) => (fail && call.name.endsWith(':heartbeat') ? Promise.reject(new Error('socket closed')) : undefined);
    await ada.client.heartbeat();
    expect(ada.client.get().error).toEqual({ code: undefined, message: 'socket closed', operation: 'heartbeat' });
    fail = false;
    await s.world.advance(TTL_SEC * 1000);
    expect(ada.client.get().error).toBeUndefined();
    expect(ada.client.get().stopped).toBe(false);
  });
});
