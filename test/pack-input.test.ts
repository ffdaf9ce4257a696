import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { createPresenceHarness } from '../spec/harness.js';
import { createPresencePack, PresenceConfigError, PresenceError, type PresencePackConfig } from '../src/index.js';

const alice = { userId: 'alice' };
const kinds = ['heartbeat', 'leave', 'cursor', 'typing'] as const;

// Mostly well-formed args with one field perturbed, plus anything at all.
const field = fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 2 }), fc.string({ maxLength: 300 }), fc.object());
const args = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record(
    {
      channel: fc.oneof(fc.constantFrom('doc', 'x'.repeat(257), ''), field),
      session: fc.oneof(fc.constantFrom('tab', 's'.repeat(257)), field),
      state: fc.oneof(fc.constant({ big: 'y'.repeat(9000) }), fc.constant([1]), field),
      cursor: field,
      typing: fc.oneof(fc.boolean(), field),
    },
    { requiredKeys: [] },
  ),
);

describe('bad input', () => {
  test.prop([fc.array(fc.tuple(fc.constantFrom(...kinds), args), { minLength: 1, maxLength: 12 })])(
    'every mutation either succeeds per the spec or rejects with a PresenceError and leaves the store unchanged',
    async (calls) => {
      const h = createPresenceHarness();
      await h.as(alice).heartbeat('doc', { state: { seed: true } });
      for (const [kind, input] of calls) {
        const before = await h.store.rows();
        const name = h.names[kind];
        try {
          const result = await h.engine.runMutation(name, input, alice);
          const after = await h.store.rows();
          if (kind === 'leave') expect(after.length).toBe(before.length - (result as { removed: number }).removed);
          else expect(after).toContainEqual(result);
        } catch (error) {
          expect(error).toBeInstanceOf(PresenceError);
          expect((error as PresenceError).message.length).toBeGreaterThan(20);
          expect(await h.store.rows()).toEqual(before);
        }
      }
    },
  );

  it.each([
    ['heartbeat', { channel: 5 }, 'INVALID_CHANNEL'],
    ['heartbeat', null, 'INVALID_ARGS'],
    ['heartbeat', [], 'INVALID_ARGS'],
    ['heartbeat', { channel: '' }, 'INVALID_CHANNEL'],
    ['heartbeat', { channel: 'c'.repeat(257) }, 'INVALID_CHANNEL'],
    ['heartbeat', { channel: 'doc', session: 7 }, 'INVALID_SESSION'],
    ['heartbeat', { channel: 'doc', session: 's'.repeat(257) }, 'INVALID_SESSION'],
    ['heartbeat', { channel: 'doc', state: 'hi' }, 'INVALID_STATE'],
    ['heartbeat', { channel: 'doc', state: { n: Number.NaN } }, 'INVALID_STATE'],
    ['heartbeat', { channel: 'doc', state: { d: new Date(0) } }, 'INVALID_STATE'],
    ['heartbeat', { channel: 'doc', state: { f: () => 1 } }, 'INVALID_STATE'],
    ['heartbeat', { channel: 'doc', state: { big: 'é'.repeat(4097) } }, 'STATE_TOO_LARGE'],
    ['cursor', { channel: 'doc' }, 'INVALID_ARGS'],
    ['cursor', { channel: 'doc', cursor: 10n }, 'INVALID_ARGS'],
    ['typing', { channel: 'doc', typing: 'yes' }, 'INVALID_ARGS'],
    ['leave', { channel: ['doc'] }, 'INVALID_CHANNEL'],
  ] as const)('%s(%o) rejects with %s', async (kind, input, code) => {
    const h = createPresenceHarness();
    await expect(h.engine.runMutation(h.names[kind], input, alice)).rejects.toMatchObject({ code });
    expect(await h.store.rows()).toEqual([]);
  });

  it('a cyclic state is refused, not a stack overflow', async () => {
    const h = createPresenceHarness();
    const state: Record<string, unknown> = {};
    state['self'] = state;
    await expect(h.engine.runMutation(h.names.heartbeat, { channel: 'doc', state }, alice)).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });

  it('multi-byte characters count as their UTF-8 bytes against the state limit', async () => {
    const h = createPresenceHarness({ config: { limits: { maxStateBytes: 20 } } });
    // {"e":"😀😀😀"} is 8 + 12 = 20 bytes; one more emoji is 24.
    await expect(h.as(alice).heartbeat('doc', { state: { e: '😀😀😀' } })).resolves.toMatchObject({ state: { e: '😀😀😀' } });
    await expect(h.as(alice).heartbeat('doc', { state: { e: '😀😀😀😀' } })).rejects.toMatchObject({ code: 'STATE_TOO_LARGE' });
  });

  it('a scope function that returns nothing rejects with INVALID_SCOPE, on writes and subscriptions', async () => {
    const h = createPresenceHarness({ config: { scope: (ctx) => ctx['tenant'] } });
    await expect(h.as(alice).heartbeat('doc')).rejects.toMatchObject({ code: 'INVALID_SCOPE' });
    await expect(h.members(alice, 'doc')).rejects.toMatchObject({ code: 'INVALID_SCOPE' });
    await expect(h.as({ userId: 7, tenant: 42 }).heartbeat('doc')).resolves.toMatchObject({ actorId: '7', scope: '42' });
  });

  it('subscription params are validated', async () => {
    const h = createPresenceHarness();
    await expect(h.engine.subscribe({ collection: h.names.collection, params: {}, ctx: alice, onDiff: () => {} })).rejects.toMatchObject({
      code: 'INVALID_CHANNEL',
    });
    await expect(h.engine.hydrate(h.names.collection, undefined, alice)).rejects.toMatchObject({ code: 'INVALID_ARGS' });
  });
});

describe('bad config', () => {
  it.each<[string, PresencePackConfig, string]>([
    ['an empty prefix', { prefix: '' }, 'INVALID_PREFIX'],
    ['a prefix with ":"', { prefix: 'a:b' }, 'INVALID_PREFIX'],
    ['a prefix with a space', { prefix: 'my app' }, 'INVALID_PREFIX'],
    ['a zero TTL', { heartbeatTtlSec: 0 }, 'INVALID_TTL'],
    ['a negative TTL', { heartbeatTtlSec: -5 }, 'INVALID_TTL'],
    ['an infinite TTL', { heartbeatTtlSec: Infinity }, 'INVALID_TTL'],
    ['a NaN typing TTL', { typingTtlSec: Number.NaN }, 'INVALID_TTL'],
    ['a TTL under a millisecond', { heartbeatTtlSec: 0.0004 }, 'INVALID_TTL'],
    ['a TTL that is not a number', { heartbeatTtlSec: '30' as never }, 'INVALID_TTL'],
    ['an unparsable cron', { cleanupCron: 'every 15 seconds' }, 'INVALID_CRON'],
    ['an out-of-range cron', { cleanupCron: '*/15 * * * 13 *' }, 'INVALID_CRON'],
    ['a fractional limit', { limits: { maxStateBytes: 1.5 } }, 'INVALID_LIMIT'],
    ['a zero batch', { cleanupBatchSize: 0 }, 'INVALID_LIMIT'],
    ['a non-function actor reader', { getActorId: 'userId' as never }, 'INVALID_OPTION'],
    ['a store missing methods', { store: { get: () => undefined } as never }, 'INVALID_STORE'],
    ['a store that is not an object', { store: 'redis' as never }, 'INVALID_STORE'],
  ])('%s throws PresenceConfigError %s', (_name, config, code) => {
    let thrown: unknown;
    try {
      createPresencePack(config);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PresenceConfigError);
    expect(thrown).toMatchObject({ code });
  });

  it('a fractional TTL becomes whole milliseconds, so integer-time stores accept every row', async () => {
    const h = createPresenceHarness({ config: { heartbeatTtlSec: 1.0005 } });
    const row = await h.as(alice).heartbeat('doc');
    expect(Number.isInteger(row.expiresAt - row.heartbeatAt)).toBe(true);
  });

  it('a valid config keeps the 0.3 defaults', () => {
    const pack = createPresencePack({ prefix: 'docs_' });
    expect(pack.names).toEqual({
      table: 'docs_presence',
      collection: 'docs_presence',
      heartbeat: 'docs_presence:heartbeat',
      leave: 'docs_presence:leave',
      cursor: 'docs_presence:cursor',
      typing: 'docs_presence:typing',
      cleanup: 'docs_presence:cleanup',
    });
    expect(pack.schedules?.[0]?.pattern).toBe('*/15 * * * * *');
    expect(pack.ownsTables).toEqual(['docs_presence']);
  });
});

describe('deep nesting', () => {
  const nest = (depth: number): Record<string, unknown> => {
    let state: Record<string, unknown> = {};
    for (let level = 1; level < depth; level++) state = { n: state };
    return state;
  };

  it('limits.maxStateDepth defaults to 64: a 64-level state is kept, a 65-level one is STATE_TOO_LARGE naming the limit', async () => {
    const h = createPresenceHarness();
    await expect(h.as(alice).heartbeat('doc', { state: nest(64) as never })).resolves.toMatchObject({ channel: 'doc' });
    const refused = h.as(alice).heartbeat('doc', { state: nest(65) as never });
    await expect(refused).rejects.toMatchObject({ code: 'STATE_TOO_LARGE', message: expect.stringContaining('limits.maxStateDepth') });
  });

  it.each([3_000, 10_000, 200_000])('a state %i levels deep (well under 8 KiB at small depths) is a typed error on every path, never a RangeError', async (depth) => {
    const h = createPresenceHarness();
    await h.as(alice).heartbeat('doc');
    const before = await h.store.rows();
    await expect(h.as(alice).heartbeat('doc', { state: nest(depth) as never })).rejects.toMatchObject({ code: 'STATE_TOO_LARGE' });
    await expect(h.as(alice).cursor('doc', nest(depth) as never)).rejects.toMatchObject({ code: 'STATE_TOO_LARGE' });
    expect(await h.store.rows()).toEqual(before);
  });

  it('limits.maxStateDepth is configurable up to 256', async () => {
    const h = createPresenceHarness({ config: { limits: { maxStateDepth: 3 } } });
    await expect(h.as(alice).heartbeat('doc', { state: { a: { b: 1 } } })).resolves.toMatchObject({ state: { a: { b: 1 } } });
    await expect(h.as(alice).heartbeat('doc', { state: { a: { b: [[1]] } } })).rejects.toMatchObject({ code: 'STATE_TOO_LARGE' });
    expect(() => createPresencePack({ limits: { maxStateDepth: 257 } })).toThrow(expect.objectContaining({ code: 'INVALID_LIMIT' }));
  });
});

describe('limits under concurrency', () => {
  it('ten concurrent first heartbeats against maxMembersPerChannel 2: exactly two join, eight get CHANNEL_FULL', async () => {
    const h = createPresenceHarness({ config: { limits: { maxMembersPerChannel: 2 } } });
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, index) => h.as({ userId: `u${index}` }).heartbeat('doc')));
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(2);
    for (const outcome of outcomes) if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ code: 'CHANNEL_FULL' });
    expect(await h.store.rows()).toHaveLength(2);
  });

  it('one actor holds at most limits.maxSessionsPerActor (default 32) live sessions per channel, and a live one always renews', async () => {
    const h = createPresenceHarness();
    const sessions = await Promise.allSettled(Array.from({ length: 40 }, (_, index) => h.as(alice).heartbeat('doc', { session: `tab${index}` })));
    expect(sessions.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(32);
    await expect(h.as(alice).heartbeat('doc', { session: 'one-more' })).rejects.toMatchObject({ code: 'CHANNEL_FULL', message: expect.stringContaining('limits.maxSessionsPerActor') });
    const admitted = (await h.store.rows())[0]!;
    await expect(h.as(alice).heartbeat('doc', { session: admitted.sessionId })).resolves.toMatchObject({ sessionId: admitted.sessionId });
    // Another actor and another channel are counted apart.
    await expect(h.as({ userId: 'bob' }).heartbeat('doc', { session: 'tab0' })).resolves.toMatchObject({ actorId: 'bob' });
    await expect(h.as(alice).heartbeat('other', { session: 'one-more' })).resolves.toMatchObject({ channel: 'other' });
  });
});

describe('config accepts no nonsense', () => {
  const configError = (config: unknown): unknown => {
    try {
      createPresencePack(config as PresencePackConfig);
    } catch (error) {
      return error;
    }
    return undefined;
  };

  it.each([
    ['a typo', { heartbeatTTLSec: -1 }, 'INVALID_OPTION', 'heartbeatTtlSec'],
    ['a typo in limits', { limits: { maxMembers: 3 } }, 'INVALID_OPTION', 'maxMembersPerChannel'],
    ['null', null, 'INVALID_OPTION', 'config'],
    ['a number', 5, 'INVALID_OPTION', 'config'],
    ['a string', 'str', 'INVALID_OPTION', 'config'],
    ['an array', [], 'INVALID_OPTION', 'config'],
    ['limits: 5', { limits: 5 }, 'INVALID_LIMIT', 'limits'],
    ['limits: null', { limits: null }, 'INVALID_LIMIT', 'limits'],
    ['a null TTL', { heartbeatTtlSec: null }, 'INVALID_TTL', 'heartbeatTtlSec'],
    ['a null typing TTL', { typingTtlSec: null }, 'INVALID_TTL', 'typingTtlSec'],
    ['a null cron', { cleanupCron: null }, 'INVALID_CRON', 'cleanupCron'],
    ['a null limit', { limits: { maxStateBytes: null } }, 'INVALID_LIMIT', 'maxStateBytes'],
    ['a cron that never fires', { cleanupCron: '0 0 30 2 *' }, 'INVALID_CRON', 'never fires'],
    ['a TTL no store keeps exactly', { heartbeatTtlSec: 1e300 }, 'INVALID_TTL', 'heartbeatTtlSec'],
    ['a TTL over a year', { heartbeatTtlSec: 366 * 24 * 3600 }, 'INVALID_TTL', 'a year'],
    ['a junk object taken for a 0.3 store', { store: { reader: 1, writer: 2, expired: 3 } }, 'INVALID_STORE', 'reader.all'],
    ['a null store timeout', { storeTimeoutMs: null }, 'INVALID_OPTION', 'storeTimeoutMs'],
    ['a zero store timeout', { storeTimeoutMs: 0 }, 'INVALID_OPTION', 'storeTimeoutMs'],
    ['a negative gate timeout', { accessTimeoutMs: -1 }, 'INVALID_OPTION', 'accessTimeoutMs'],
    ['a string gate timeout', { accessTimeoutMs: '5' }, 'INVALID_OPTION', 'accessTimeoutMs'],
  ])('%s is a PresenceConfigError %s naming what to fix', (_name, config, code, named) => {
    const error = configError(config);
    expect(error).toBeInstanceOf(PresenceConfigError);
    expect(error).toMatchObject({ code, message: expect.stringContaining(named) });
  });

  it.each([Number.NaN, Infinity, '12' as never, undefined as never])('a now() returning %s fails every call with INVALID_CLOCK', async (time) => {
    const h = createPresenceHarness({ createPack: (config) => createPresencePack({ ...config, now: () => time }) });
    await expect(h.as(alice).heartbeat('doc')).rejects.toMatchObject({ code: 'INVALID_CLOCK' });
    expect(await h.store.rows()).toEqual([]);
  });

  it('a fractional clock is floored to whole milliseconds, which every bundled store keeps', async () => {
    const h = createPresenceHarness({ createPack: (config) => createPresencePack({ ...config, now: () => 1000.75 }) });
    await expect(h.as(alice).heartbeat('doc')).resolves.toMatchObject({ heartbeatAt: 1000, expiresAt: 31_000 });
  });

  it('two packs with different prefixes on one store object are refused; the same prefix twice is fine', () => {
    const store = createPresencePack().store;
    const shared = { ...store };
    createPresencePack({ prefix: 'docs_', store: shared });
    createPresencePack({ prefix: 'docs_', store: shared });
    expect(configError({ prefix: 'chat_', store: shared })).toMatchObject({ code: 'INVALID_STORE', message: expect.stringContaining('docs_') });
    expect(configError({ store: shared })).toMatchObject({ code: 'INVALID_STORE' });
  });
});
