/**
 * The pack against hostile code around it: stores that hang, throw or answer
 * nonsense, ctx functions that return what no id is, and args and params that
 * change between reads. Every failure is a typed error, nothing hangs past
 * the store and gate deadlines, and no subscriber sees a channel it was refused.
 */
import { fc, test } from '@fast-check/vitest';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createPresenceHarness } from '../spec/harness.js';
import { createPresencePack, PresenceError, type PresenceRow, type PresenceStore } from '../src/index.js';
import { createMemoryPresenceStore } from '../src/stores/memory.js';
import { expectRowChecks } from './servers/store-cases.js';

const alice = { userId: 'alice' };
const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

/** The pack's error: the engine wraps a retried cleanup's last error as `cause`. */
const packError = (error: unknown): unknown =>
  error instanceof Error && error.name === 'RetriesExhaustedError' ? error.cause : error;

/** A memory store with some methods replaced. */
const storeWith = (override: (inner: PresenceStore) => Partial<PresenceStore>): PresenceStore => {
  const inner = createMemoryPresenceStore();
  return { ...inner, ...override(inner) };
};

describe('a store that never answers', () => {
  it.each(['get', 'admit', 'update', 'remove', 'channel', 'sweep'] as const)(
    'a %s that never settles rejects with STORE_TIMEOUT after storeTimeoutMs, on every path that uses it',
    async (method) => {
      const inner = createMemoryPresenceStore();
      let hang = false;
      const store = new Proxy(inner, {
        get: (target, key: keyof PresenceStore) => (hang && key === method ? () => never() : target[key]),
      });
      const h = createPresenceHarness({ config: { store, storeTimeoutMs: 20 } });
      await h.as(alice).heartbeat('doc', { session: 's' });
      hang = true;
      const calls = [
        h.as(alice).heartbeat('doc', { session: 's' }),
        h.as(alice).heartbeat('doc', { session: 'new', state: {} }),
        h.as(alice).cursor('doc', 1, 's'),
        h.as(alice).leave('doc'),
        h.as(alice).leave('doc', 's'),
        h.members(alice, 'doc'),
        h.cleanup(),
      ];
      const outcomes = await Promise.allSettled(calls);
      const failures = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      expect(failures.length).toBeGreaterThan(0);
      for (const failure of failures) expect(packError(failure.reason)).toMatchObject({ code: 'STORE_TIMEOUT', message: expect.stringContaining('outcome unknown') });
    },
  );
});

describe('a gate that never answers', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Settles `pending` into its outcome without letting a rejection go unhandled. */
  const outcome = (pending: Promise<unknown>): { settled: () => PromiseSettledResult<unknown> | undefined } => {
    let result: PromiseSettledResult<unknown> | undefined;
    pending.then(
      (value) => (result = { status: 'fulfilled', value }),
      (reason: unknown) => (result = { status: 'rejected', reason }),
    );
    return { settled: () => result };
  };

  it.each([
    ['a heartbeat', (h: ReturnType<typeof createPresenceHarness>) => h.as(alice).heartbeat('doc', { session: 's' })],
    ['a cursor patch', (h: ReturnType<typeof createPresenceHarness>) => h.as(alice).cursor('doc', 1, 's')],
    ['a leave', (h: ReturnType<typeof createPresenceHarness>) => h.as(alice).leave('doc', 's')],
    ['a hydrate', (h: ReturnType<typeof createPresenceHarness>) => h.members(alice, 'doc')],
    ['a subscribe', (h: ReturnType<typeof createPresenceHarness>) => h.watch(alice, 'doc')],
  ])('%s waits exactly accessTimeoutMs for a hung canAccessChannel, then is CHANNEL_DENIED and writes nothing', async (_name, call) => {
    vi.useFakeTimers();
    let hang = false;
    const h = createPresenceHarness({ config: { accessTimeoutMs: 250, canAccessChannel: () => (hang ? never<boolean>() : Promise.resolve(true)) } });
    await h.as(alice).heartbeat('doc', { session: 's', state: { v: 1 } });
    const before = await h.store.rows();
    hang = true;
    const pending = outcome(call(h));
    await vi.advanceTimersByTimeAsync(249);
    expect(pending.settled()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    const settled = pending.settled();
    expect(settled?.status).toBe('rejected');
    expect((settled as PromiseRejectedResult).reason).toMatchObject({ code: 'CHANNEL_DENIED', message: expect.stringContaining('accessTimeoutMs') });
    expect(await h.store.rows()).toEqual(before);
  });

  it('a synchronous gate arms no timer, and a gate that answers in time is obeyed', async () => {
    vi.useFakeTimers();
    const sync = createPresenceHarness({ config: { accessTimeoutMs: 250, canAccessChannel: (channel) => channel !== 'secret' } });
    await sync.as(alice).heartbeat('doc');
    expect(vi.getTimerCount()).toBe(0);
    await expect(sync.as(alice).heartbeat('secret')).rejects.toMatchObject({ code: 'CHANNEL_DENIED', message: expect.stringContaining('denied access') });

    const slow = createPresenceHarness({
      config: { accessTimeoutMs: 250, canAccessChannel: (channel) => new Promise<boolean>((resolve) => setTimeout(() => resolve(channel !== 'secret'), 249)) },
    });
    const allowed = outcome(slow.as(alice).heartbeat('doc'));
    const denied = outcome(slow.as(alice).heartbeat('secret'));
    await vi.advanceTimersByTimeAsync(249);
    expect(allowed.settled()?.status).toBe('fulfilled');
    expect((denied.settled() as PromiseRejectedResult).reason).toMatchObject({ code: 'CHANNEL_DENIED', message: expect.stringContaining('denied access') });
    expect((await slow.store.rows()).map((row) => row.channel)).toEqual(['doc']);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('a store that throws', () => {
  it.each([
    ['a synchronous TypeError', () => { throw new TypeError('boom'); }],
    ['a rejected plain Error', () => Promise.reject(new Error('connection reset'))],
    ['a rejected string', () => Promise.reject('nope')],
  ] as const)('%s becomes STORE_UNAVAILABLE with the original as cause', async (_name, fail) => {
    const store = storeWith(() => ({ get: fail, admit: fail, channel: fail, sweep: fail }));
    const h = createPresenceHarness({ config: { store } });
    for (const call of [() => h.as(alice).heartbeat('doc'), () => h.members(alice, 'doc'), () => h.cleanup()]) {
      const error = packError(await call().then(() => undefined, (reason: unknown) => reason));
      expect(error).toBeInstanceOf(PresenceError);
      expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE' });
      expect((error as PresenceError).cause).toBeDefined();
    }
  });

  it('a PresenceError from the store passes through unchanged', async () => {
    const refusal = new PresenceError('STORE_UNAVAILABLE', 'custom outage, try later');
    const h = createPresenceHarness({ config: { store: storeWith(() => ({ admit: () => Promise.reject(refusal) })) } });
    await expect(h.as(alice).heartbeat('doc')).rejects.toBe(refusal);
  });
});

describe('a store that answers nonsense', () => {
  const bob = { userId: 'bob' };

  it.each([
    ['null', () => null],
    ['a row with string times', (row: PresenceRow) => ({ ...row, expiresAt: String(row.expiresAt) })],
    ['another actor’s row under the caller’s id', (row: PresenceRow) => ({ ...row, actorId: 'bob' })],
    ['a row of another id', (row: PresenceRow) => ({ ...row, id: '["","doc","bob",""]', actorId: 'bob' })],
  ])('get answering %s is STORE_UNAVAILABLE, and no other row is written', async (_name, corrupt) => {
    const inner = createMemoryPresenceStore();
    const h = createPresenceHarness({
      config: { store: { ...inner, get: async (id) => { const row = await inner.get(id); return row && (corrupt(row) as PresenceRow); } } },
    });
    await h.as(bob).heartbeat('doc', { state: { mine: true } });
    await h.as(alice).heartbeat('doc');
    const before = await inner.rows();
    await expect(h.as(alice).heartbeat('doc')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(h.as(alice).cursor('doc', 1)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(await inner.rows()).toEqual(before);
  });

  it('rows of another channel, another scope, expired rows and junk from channel() never reach a subscriber', async () => {
    const inner = createMemoryPresenceStore();
    const h = createPresenceHarness({ config: { store: { ...inner, channel: async () => [...(await inner.rows()), null as never, { id: 5 } as never] } } });
    await h.as(alice).heartbeat('doc');
    await h.as(alice).heartbeat('secret');
    await h.as(bob).heartbeat('doc', { session: 'old' });
    h.clock.advance(40_000);
    await h.as(bob).heartbeat('doc');
    const view = await h.watch(alice, 'doc');
    expect(view.rows().map((row) => [row.actorId, row.channel, row.sessionId])).toEqual([['bob', 'doc', '']]);
  });
});

describe('identity from ctx', () => {
  it('a bigint actor id is its decimal string', async () => {
    const h = createPresenceHarness({ config: { getActorId: () => 12345678901234567890n } });
    await expect(h.as(alice).heartbeat('doc')).resolves.toMatchObject({ actorId: '12345678901234567890' });
  });

  it.each([
    ['a cyclic object', () => { const cyclic: Record<string, unknown> = {}; cyclic['self'] = cyclic; return cyclic; }],
    ['an object whose toString throws', () => ({ toString: () => { throw new Error('hostile'); } })],
    ['a revoked proxy', () => { const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); return proxy; }],
    ['a throw', () => { throw new Error('no session'); }],
    ['a symbol', () => Symbol('id')],
  ])('getActorId returning %s is MISSING_ACTOR, and scope returning it is INVALID_SCOPE', async (_name, hostile) => {
    const actor = createPresenceHarness({ config: { getActorId: hostile } });
    await expect(actor.as(alice).heartbeat('doc')).rejects.toMatchObject({ code: 'MISSING_ACTOR' });
    const scoped = createPresenceHarness({ config: { scope: hostile } });
    await expect(scoped.as(alice).heartbeat('doc')).rejects.toMatchObject({ code: 'INVALID_SCOPE' });
    await expect(scoped.members(alice, 'doc')).rejects.toMatchObject({ code: 'INVALID_SCOPE' });
  });

  it('a canAccessChannel that throws denies with CHANNEL_DENIED', async () => {
    const h = createPresenceHarness({ config: { canAccessChannel: () => { throw new Error('db down'); } } });
    await expect(h.as(alice).heartbeat('doc')).rejects.toMatchObject({ code: 'CHANNEL_DENIED' });
  });
});

describe('values read once', () => {
  /** An object whose `channel` reads `first` once, then `later` forever. */
  const flipping = (first: string, later: string): Record<string, unknown> => {
    let reads = 0;
    return { get channel() { return reads++ === 0 ? first : later; } };
  };

  it('params that name an allowed channel to the gate cannot show a refused one to the store or to live diffs', async () => {
    const admin = { userId: 'admin' };
    const h = createPresenceHarness({ config: { canAccessChannel: (channel, ctx) => channel !== 'secret' || ctx['userId'] === 'admin' } });
    await h.as({ userId: 'spy' }).heartbeat('open');
    await h.as(admin).heartbeat('secret', { state: { plans: 1 } });
    const seen: PresenceRow[] = [];
    const subscription = await h.engine.subscribe({
      collection: h.names.collection,
      params: flipping('open', 'secret'),
      ctx: alice,
      onDiff: (diff: { added?: PresenceRow[]; changed?: PresenceRow[] }) => seen.push(...(diff.added ?? []), ...(diff.changed ?? [])),
    } as never);
    seen.push(...(subscription as { initial: PresenceRow[] }).initial);
    await h.as(admin).heartbeat('secret', { state: { plans: 2 } });
    await h.as({ userId: 'spy' }).heartbeat('open', { state: { moved: true } });
    expect(seen.map((row) => row.channel)).toContain('open');
    expect(seen.filter((row) => row.channel !== 'open')).toEqual([]);
  });

  it('args read once: a state getter cannot smuggle 10 MB or a bigint past the checks', async () => {
    const h = createPresenceHarness();
    let reads = 0;
    const args = {
      channel: 'doc',
      get state() {
        return reads++ === 0 ? { small: true } : { big: 'x'.repeat(10_000_000), n: 10n };
      },
    };
    const row = await h.engine.runMutation(h.names.heartbeat, args, alice);
    expect(row).toMatchObject({ state: { small: true } });
    expect((await h.store.rows())[0]!.state).toEqual({ small: true });
    expect(reads).toBe(1);
  });
});

describe('the memory store checks what Redis and PostgreSQL refuse', () => {
  it('refuses every invalid row, clock and limit with INVALID_ARGS, stores nothing, and a refused NaN expiry cannot block sweeps', async () => {
    await expectRowChecks(createMemoryPresenceStore());
  });
});

describe('the bad-input property, under attack', () => {
  /** What the property counted over all its runs; the report quotes these. */
  const tally = { calls: 0, rejections: 0, untyped: 0, hangs: 0, overshoots: 0, changedAfterRejection: 0, joins: 0 };
  const DEADLINE_MS = 15;
  // A call that takes this long has hung past the store deadline (CI slack included).
  const HANG_MS = 2_000;

  const deep = (depth: number): unknown => {
    let value: unknown = 1;
    for (let level = 0; level < depth; level++) value = { n: value };
    return value;
  };
  const shared = (levels: number): unknown => {
    let value: unknown = 'leaf';
    for (let level = 0; level < levels; level++) value = [value, value];
    return value;
  };
  /** Args whose `state` reads `first` once, then `later`. */
  const flipping = (first: unknown, later: unknown): object => {
    let reads = 0;
    return Object.defineProperty({}, 'state', { enumerable: true, get: () => (reads++ === 0 ? first : later) });
  };
  const revoked = (): object => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  };

  /** A hostile value made fresh inside the property (fast-check never touches it), printed by name. */
  class Hostile {
    constructor(
      readonly name: string,
      readonly make: () => unknown,
    ) {}

    toString(): string {
      return this.name;
    }
  }
  const made = (name: string, make: () => unknown): fc.Arbitrary<Hostile> => fc.constant(new Hostile(name, make));

  const hostileValue: fc.Arbitrary<Hostile> = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }).map((value) => new Hostile(JSON.stringify(value) ?? 'undefined', () => structuredClone(value))),
    fc.integer({ min: 60, max: 5_000 }).map((depth) => new Hostile(`nested ${depth} deep`, () => deep(depth))),
    fc.integer({ min: 18, max: 26 }).map((levels) => new Hostile(`${levels} levels of shared pairs`, () => shared(levels))),
    made('a sparse array of length 2^32 - 1', () => new Array(2 ** 32 - 1)),
    made('an array whose toJSON is 100 kB', () => Object.assign([1, 2], { toJSON: () => 'x'.repeat(100_000) })),
    made('an object with toJSON', () => ({ toJSON: () => ({}) })),
    made('a proxy whose ownKeys throws', () => new Proxy({}, { ownKeys: () => { throw new Error('trap'); } })),
    made('a revoked proxy', revoked),
    made('a bigint field', () => ({ n: 10n })),
    made('a throwing getter', () => Object.defineProperty({}, 'x', { enumerable: true, get: () => { throw new Error('getter'); } })),
  );
  const hostileArgs: fc.Arbitrary<Hostile> = fc.oneof(
    fc
      .record({ channel: fc.constantFrom('doc', 'other', ''), session: fc.constantFrom(undefined, 'a', 'b'), state: hostileValue, cursor: hostileValue, typing: fc.boolean() })
      .map(({ channel, session, state, cursor, typing }) => new Hostile(`{ channel: ${channel}, session: ${session}, state: ${state}, cursor: ${cursor}, typing: ${typing} }`, () => ({ channel, session, state: state.make(), cursor: cursor.make(), typing }))),
    hostileValue,
    fc.tuple(fc.constantFrom('doc', 'other'), hostileValue).map(([channel, later]) => new Hostile(`a state getter: {} then ${later}`, () => Object.assign(flipping({ ok: true }, later.make()), { channel }))),
    made('a proxy whose getPrototypeOf throws', () => new Proxy({ channel: 'doc' }, { getPrototypeOf: () => { throw new Error('proto'); } })),
  );
  const kinds = ['heartbeat', 'leave', 'cursor', 'typing'] as const;

  /** A memory store that, by mode, hangs or throws on some calls (before touching the rows). */
  const faultyStore = (inner: PresenceStore, mode: 'none' | 'hang' | 'throw', every: number): PresenceStore => {
    let calls = 0;
    return new Proxy(inner, {
      get: (target, key: keyof PresenceStore) => (...args: never[]) => {
        calls++;
        if (mode !== 'none' && calls % every === 0) return mode === 'hang' ? never() : Promise.reject(new Error(`injected ${String(key)}`));
        return (target[key] as (...params: never[]) => unknown)(...args);
      },
    });
  };

  /** A `canAccessChannel` that, by mode, hangs or throws on some calls and admits otherwise. */
  const faultyGate = (mode: 'allow' | 'hang' | 'throw', every: number): (() => Promise<boolean>) => {
    let calls = 0;
    return () => {
      calls++;
      if (mode === 'allow' || calls % every !== 0) return Promise.resolve(true);
      return mode === 'hang' ? never() : Promise.reject(new Error('injected gate failure'));
    };
  };

  /** Runs one call, counting an untyped error or a hang; resolves to the error, if any. */
  const observe = async (call: () => Promise<unknown>): Promise<{ error?: unknown }> => {
    tally.calls++;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), HANG_MS)));
    const outcome = await Promise.race([call().then(() => ({}), (error: unknown) => ({ error })), hung]);
    clearTimeout(timer);
    if (outcome === 'hung') {
      tally.hangs++;
      return { error: 'hung' };
    }
    if ('error' in outcome) {
      tally.rejections++;
      const error = packError(outcome.error);
      if (!(error instanceof PresenceError)) tally.untyped++;
    }
    return outcome;
  };

  test.prop(
    [
      fc.array(fc.tuple(fc.constantFrom(...kinds), fc.constantFrom('ann', 'bob', 'cy'), hostileArgs), { minLength: 1, maxLength: 8 }),
      fc.constantFrom('none', 'hang', 'throw'),
      fc.integer({ min: 2, max: 5 }),
      fc.constantFrom('allow', 'hang', 'throw'),
      fc.record({ maxMembersPerChannel: fc.integer({ min: 1, max: 3 }), maxSessionsPerActor: fc.integer({ min: 1, max: 2 }) }),
      fc.array(fc.tuple(fc.constantFrom('ann', 'bob', 'cy', 'dee'), fc.constantFrom('a', 'b', 'c')), { minLength: 2, maxLength: 10 }),
    ],
    { numRuns: 60 },
  )('hostile args, faulty stores and gates, concurrent joins: 0 untyped errors, 0 hangs, 0 overshoots, 0 changed stores after a rejection', async (calls, mode, every, gate, limits, joins) => {
    const inner = createMemoryPresenceStore();
    const h = createPresenceHarness({
      config: { store: faultyStore(inner, mode, every), storeTimeoutMs: DEADLINE_MS, canAccessChannel: faultyGate(gate, every + 1), accessTimeoutMs: DEADLINE_MS, limits },
    });
    const before = { untyped: tally.untyped, hangs: tally.hangs, overshoots: tally.overshoots, changed: tally.changedAfterRejection };
    for (const [kind, actor, args] of calls) {
      const rows = await inner.rows();
      const { error } = await observe(() => h.engine.runMutation(h.names[kind], args.make(), { userId: actor }));
      // STORE_TIMEOUT promises nothing about the store (outcome unknown); every other rejection promises it unchanged.
      if (error !== undefined && (packError(error) as PresenceError).code !== 'STORE_TIMEOUT' && JSON.stringify(await inner.rows()) !== JSON.stringify(rows)) tally.changedAfterRejection++;
    }
    await Promise.all(joins.map(([actor, session]) => (tally.joins++, observe(() => h.as({ userId: actor }).heartbeat('room', { session })))));
    const live = await inner.channel('', 'room', h.clock.now());
    const perActor = new Map<string, number>();
    for (const row of live) perActor.set(row.actorId, (perActor.get(row.actorId) ?? 0) + 1);
    if (live.length > limits.maxMembersPerChannel || [...perActor.values()].some((count) => count > limits.maxSessionsPerActor)) tally.overshoots++;
    expect({ untyped: tally.untyped, hangs: tally.hangs, overshoots: tally.overshoots, changed: tally.changedAfterRejection }).toEqual(before);
  });

  afterAll(() => {
    console.log(`bad-input property under attack: ${JSON.stringify(tally)}`);
    expect(tally.calls).toBeGreaterThan(100);
    expect(tally.rejections).toBeGreaterThan(0);
    expect({ untyped: tally.untyped, hangs: tally.hangs, overshoots: tally.overshoots, changed: tally.changedAfterRejection }).toEqual({ untyped: 0, hangs: 0, overshoots: 0, changed: 0 });
  });
});

describe('the guard and the collection, directly', () => {
  it.each([
    ['a refusal without a limit', { admitted: false, full: 'room', live: 1 }],
    ['neither answer', { ok: true }],
    ['an admission of another row', { admitted: true, row: { id: 'x' } }],
  ])('admit answering %s is STORE_UNAVAILABLE', async (_name, reply) => {
    const h = createPresenceHarness({ config: { store: storeWith(() => ({ admit: async () => reply as never })) } });
    await expect(h.as(alice).heartbeat('doc')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('hydrate gates params it did not authorize itself', async () => {
    const pack = createPresencePack({ canAccessChannel: (channel) => channel !== 'secret' });
    const collection = pack.collections![0]!;
    await expect(collection.hydrate({ channel: 'secret' }, alice)).rejects.toMatchObject({ code: 'CHANNEL_DENIED' });
    await expect(collection.hydrate({ channel: 'open' }, alice)).resolves.toEqual([]);
  });
});
