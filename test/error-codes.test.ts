import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { createPresenceHarness } from '../spec/harness.js';
import { RetriesExhaustedError } from '../spec/engine.js';
import {
  createMemoryPresenceStore,
  PresenceConfigError,
  PresenceError,
  presenceErrorCode,
  createPresencePack,
  type PresenceErrorCode,
} from '../src/index.js';

/** Every code; the `satisfies` makes a new code without a line here a compile error. */
const CODES = Object.keys({
  INVALID_ARGS: 1,
  INVALID_CHANNEL: 1,
  INVALID_SESSION: 1,
  INVALID_STATE: 1,
  STATE_TOO_LARGE: 1,
  MISSING_ACTOR: 1,
  INVALID_SCOPE: 1,
  CHANNEL_DENIED: 1,
  CHANNEL_FULL: 1,
  NOT_PRESENT: 1,
  STORE_UNAVAILABLE: 1,
  STORE_TIMEOUT: 1,
  INVALID_CLOCK: 1,
} satisfies Record<PresenceErrorCode, 1>) as PresenceErrorCode[];

const alice = { userId: 'alice', tenant: 't1' };

/** What a client sees of a rejected call: the socket layer forwards only `message`. */
const rejectionMessage = async (call: Promise<unknown>): Promise<string> =>
  call.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => (error as Error).message,
  );

describe('error codes reach the client through the message', () => {
  it('puts the code first, keeps it on .code, and parses it back from the error', () => {
    const error = new PresenceError('NOT_PRESENT', 'send a heartbeat first.');
    expect(error.message).toBe('[NOT_PRESENT] send a heartbeat first.');
    expect(error.code).toBe('NOT_PRESENT');
    expect(presenceErrorCode(error)).toBe('NOT_PRESENT');
    expect(new PresenceConfigError('INVALID_TTL', 'heartbeatTtlSec must be positive.').message).toBe(
      '[INVALID_TTL] heartbeatTtlSec must be positive.',
    );
    expect(() => createPresencePack({ heartbeatTtlSec: -1 })).toThrow(/^\[INVALID_TTL\] /);
  });

  it.each([
    ['a mutation with bad args', (h: ReturnType<typeof harness>) => h.engine.runMutation(h.names.heartbeat, null, alice), 'INVALID_ARGS'],
    ['a patch before any heartbeat', (h: ReturnType<typeof harness>) => h.as(alice).cursor('doc', 1), 'NOT_PRESENT'],
    ['a denied channel', (h: ReturnType<typeof harness>) => h.as(alice).heartbeat('private:x'), 'CHANNEL_DENIED'],
    ['a caller without an actor', (h: ReturnType<typeof harness>) => h.as({ tenant: 't1' }).heartbeat('doc'), 'MISSING_ACTOR'],
    ['a caller without a scope', (h: ReturnType<typeof harness>) => h.as({ userId: 'bob' }).heartbeat('doc'), 'INVALID_SCOPE'],
    ['a full channel', async (h: ReturnType<typeof harness>) => (await h.as(alice).heartbeat('full'), h.as({ userId: 'bob', tenant: 't1' }).heartbeat('full')), 'CHANNEL_FULL'],
  ] as const)('parses %s from the message of the engine\'s rejection', async (_what, call, code) => {
    const message = await rejectionMessage(call(harness()));
    expect(message.startsWith(`[${code}] `)).toBe(true);
    expect(presenceErrorCode(message)).toBe(code);
    // The socket's reject frame itself, as a client holds it.
    expect(presenceErrorCode({ type: 'reject', mutationId: 'm1', message })).toBe(code);
  });

  it('parses a subscription refused with a PresenceError from the error frame message', async () => {
    const h = harness();
    const message = await rejectionMessage(
      h.engine.subscribe({ collection: h.names.collection, params: { channel: 'private:x' }, ctx: alice, onDiff: () => {} }),
    );
    expect(presenceErrorCode(message)).toBe('CHANNEL_DENIED');
  });

  it("finds the code behind the engine's retry wrapper, and nowhere else", async () => {
    const store = createMemoryPresenceStore();
    store.sweep = async () => {
      throw new PresenceError('STORE_UNAVAILABLE', 'memory store: down for the test');
    };
    const h = createPresenceHarness({ config: { store } });
    const rejected = h.cleanup().then(
      () => undefined,
      (error: unknown) => error,
    );
    const error = await rejected;
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect((error as Error).message).toMatch(/^retries exhausted after 3 attempts \(\d+ms\): \[STORE_UNAVAILABLE\] /);
    expect(presenceErrorCode(error)).toBe('STORE_UNAVAILABLE');
  });
});

describe('presenceErrorCode', () => {
  test.prop([fc.constantFrom(...CODES), fc.string()])('round-trips every code through an error and its message', (code, text) => {
    const error = new PresenceError(code, text);
    expect(presenceErrorCode(error)).toBe(code);
    expect(presenceErrorCode(error.message)).toBe(code);
    expect(presenceErrorCode(new Error(error.message))).toBe(code);
    expect(presenceErrorCode({ message: error.message })).toBe(code);
    expect(presenceErrorCode(`retries exhausted after 2 attempts (31ms): ${error.message}`)).toBe(code);
  });

  test.prop([fc.string(), fc.constantFrom(...CODES)])(
    'finds no code in a string that does not start with one, even if it quotes one later',
    (text, code) => {
      fc.pre(!/^\[[A-Z_]+\] /.test(text));
      expect(presenceErrorCode(text)).toBeUndefined();
      expect(presenceErrorCode(`${text}[${code}] `)).toBe(text === '' ? code : undefined);
    },
  );

  it.each([
    'NOT_PRESENT',
    '[NOT_PRESENT]',
    '[NOT_PRESENT]no space',
    '[not_present] lower case',
    ' [NOT_PRESENT] leading space',
    '[NOT_PRESENT ] inner space',
    '[NOPE] unknown code',
    '[__PROTO__] inherited key',
    '[HAS_OWN_PROPERTY] inherited method',
    'channel "[CHANNEL_DENIED] " is not a valid channel',
    'retries exhausted after 2 attempts: [NOT_PRESENT] wrapper without timing',
    'Not authorized: run mutation "presence:heartbeat"',
  ])('returns undefined for %j', (forged) => {
    expect(presenceErrorCode(forged)).toBeUndefined();
  });

  it('returns undefined for values without a message', () => {
    for (const value of [undefined, null, 42, {}, { message: 7 }, [], Symbol('x')]) expect(presenceErrorCode(value)).toBeUndefined();
  });
});

/** A pack with a scope, a channel gate and a one-member limit, on the reference engine. */
function harness() {
  return createPresenceHarness({
    config: {
      scope: (ctx) => ctx.tenant,
      canAccessChannel: (channel) => !channel.startsWith('private:'),
      limits: { maxMembersPerChannel: 1 },
    },
  });
}
