import { describe, expect, it, vi } from 'vitest';
import type { MutationActions, RetryPolicy } from '../src/contract.js';
import {
  RetriesExhaustedError,
  createReferenceEngine,
  exponentialBackoff,
  isSerializationFailure,
} from '../spec/engine.js';

const serializationFailure = () => Object.assign(new Error('could not serialize access'), { code: '40001' });

/** An engine on a fake clock whose sleep advances the clock, and a mutation failing `failures` times. */
function setup(retry: RetryPolicy | undefined, failures: number, error: () => unknown = serializationFailure) {
  let clock = 1000;
  const sleeps: number[] = [];
  const engine = createReferenceEngine({
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    random: () => 0.5,
  });
  const authorize = vi.fn(() => true);
  const handler = vi.fn(async () => {
    clock += 1;
    if (handler.mock.calls.length <= failures) throw error();
    return 'ok';
  });
  engine.registerMutation({ name: 'm', authorize, handler, ...(retry ? { retry } : {}) });
  return { engine, sleeps, handler, authorize, run: () => engine.runMutation('m', {}, {}) };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('mutation retry', () => {
  it('runs once without a policy and rethrows even a retryable error as-is', async () => {
    const { run, handler } = setup(undefined, 1);
    const error = await rejection(run());
    expect(error).not.toBeInstanceOf(RetriesExhaustedError);
    expect(error).toMatchObject({ code: '40001' });
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('retries a serialization failure and returns the result, authorizing once', async () => {
    const { run, handler, authorize } = setup({}, 2);
    expect(await run()).toBe('ok');
    expect(handler).toHaveBeenCalledTimes(3);
    expect(authorize).toHaveBeenCalledTimes(1);
  });

  it('defaults to 5 attempts, then wraps the last error in RetriesExhaustedError', async () => {
    const { run, handler, sleeps } = setup({}, Infinity);
    const error = await rejection(run());
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    const exhausted = error as RetriesExhaustedError;
    expect(exhausted.attempts).toBe(5);
    expect(exhausted.cause).toMatchObject({ code: '40001' });
    // Default backoff with random 0.5 (no jitter): 25, 50, 100, 200; each attempt also costs 1 ms.
    expect(sleeps).toEqual([25, 50, 100, 200]);
    expect(exhausted.elapsedMs).toBe(375 + 5);
    expect(handler).toHaveBeenCalledTimes(5);
  });

  it('rethrows a first-attempt non-retryable error as-is', async () => {
    const plain = new Error('plain');
    const { run, handler } = setup({}, 1, () => plain);
    await expect(run()).rejects.toBe(plain);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('wraps a non-retryable error once more than one attempt ran', async () => {
    const errors = [serializationFailure(), new Error('plain')];
    const { run } = setup({}, 2, () => errors.shift());
    const error = await rejection(run());
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect(error).toMatchObject({ attempts: 2, cause: { message: 'plain' } });
  });

  it('honours maxAttempts, isRetryable and backoff(attempt) with the injected sleep', async () => {
    const backoff = vi.fn((attempt: number) => attempt * 10);
    const isRetryable = vi.fn((error: unknown) => (error as Error).message === 'again');
    const { run, sleeps } = setup({ maxAttempts: 3, backoff, isRetryable }, Infinity, () => new Error('again'));
    await expect(run()).rejects.toMatchObject({ attempts: 3 });
    expect(backoff.mock.calls).toEqual([[1], [2]]);
    expect(sleeps).toEqual([10, 20]);
    // Not consulted once attempts are used up.
    expect(isRetryable).toHaveBeenCalledTimes(2);
  });

  it('clamps the delay to the remaining budget and stops once maxElapsedMs is spent', async () => {
    const { run, sleeps, handler } = setup({ maxAttempts: 10, backoff: () => 100, maxElapsedMs: 150 }, Infinity);
    const error = await rejection(run());
    // 1 ms attempt, sleep 100; 1 ms attempt (102 elapsed), sleep clamped to 48; 1 ms attempt: 151 ≥ 150.
    expect(sleeps).toEqual([100, 48]);
    expect(handler).toHaveBeenCalledTimes(3);
    expect(error).toMatchObject({ attempts: 3, elapsedMs: 151 });
  });

  it('uses fresh actions per attempt: only the successful attempt reaches subscribers (W6)', async () => {
    const engine = createReferenceEngine({ now: () => 0, sleep: async () => {} });
    const stored: string[] = [];
    engine.registerWriter('t', { insert: (d: { id: string }) => (stored.push(d.id), d), update: (d) => d, delete: () => {} });
    engine.register({ name: 't', hydrate: () => [], match: () => true });
    let attempt = 0;
    engine.registerMutation({
      name: 'm',
      retry: {},
      handler: async (_: unknown, __: unknown, a: MutationActions) => {
        await a.insert('t', { id: `try${++attempt}` });
        if (attempt === 1) throw serializationFailure();
      },
    });
    const diffs: unknown[] = [];
    await engine.subscribe({ collection: 't', params: undefined, ctx: {}, onDiff: (d) => diffs.push(d) });
    await engine.runMutation('m', {}, {});
    expect(stored).toEqual(['try1', 'try2']);
    expect(diffs).toEqual([{ added: [{ id: 'try2' }], changed: [], removed: [] }]);
  });

  it('sleeps on a real timer by default', async () => {
    vi.useFakeTimers();
    try {
      const engine = createReferenceEngine();
      let runs = 0;
      engine.registerMutation({
        name: 'm',
        retry: { backoff: () => 500 },
        handler: () => {
          if (++runs === 1) throw serializationFailure();
          return 'ok';
        },
      });
      const result = engine.runMutation('m', {}, {});
      await vi.advanceTimersByTimeAsync(499);
      expect(runs).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(await result).toBe('ok');
      expect(runs).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('describes a non-Error cause in the exhaustion message', async () => {
    const { run } = setup({ maxAttempts: 2 }, Infinity, () => ({ code: '40P01' }));
    const error = await rejection(run());
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect((error as Error).message).toBe('retries exhausted after 2 attempts (27ms): [object Object]');
  });

  it('applies the same policy to schedules', async () => {
    let clock = 0;
    const engine = createReferenceEngine({ now: () => clock, sleep: async (ms) => void (clock += ms), random: () => 0.5 });
    let runs = 0;
    engine.registerSchedule({
      name: 's',
      pattern: '@daily',
      retry: { maxAttempts: 2 },
      run: () => {
        runs++;
        throw serializationFailure();
      },
    });
    await expect(engine.runSchedule('s')).rejects.toMatchObject({ name: 'RetriesExhaustedError', attempts: 2, elapsedMs: 25 });
    expect(runs).toBe(2);
  });
});

describe('exponentialBackoff', () => {
  it('grows by factor from baseMs, caps at maxMs, then applies ±jitter', () => {
    const mid = exponentialBackoff({ random: () => 0.5 });
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(mid)).toEqual([25, 50, 100, 200, 400, 800, 1000, 1000]);
    expect(exponentialBackoff({ random: () => 1 })(10)).toBeCloseTo(1200);
    expect(exponentialBackoff({ random: () => 0 })(1)).toBeCloseTo(20);
    expect(exponentialBackoff({ baseMs: 10, factor: 3, maxMs: 50, jitter: 0, random: () => 0.9 })(3)).toBe(50);
    const jittery = exponentialBackoff();
    for (let i = 0; i < 50; i++) {
      const delay = jittery(2);
      expect(delay).toBeGreaterThanOrEqual(40);
      expect(delay).toBeLessThanOrEqual(60);
    }
  });
});

describe('isSerializationFailure', () => {
  it('recognises 40001 and 40P01 on the error or its cause chain', () => {
    expect(isSerializationFailure({ code: '40001' })).toBe(true);
    expect(isSerializationFailure(Object.assign(new Error('x'), { code: '40P01' }))).toBe(true);
    expect(isSerializationFailure(new Error('wrapped', { cause: new Error('db', { cause: { code: '40001' } }) }))).toBe(true);
    expect(isSerializationFailure({ code: '23505' })).toBe(false);
    expect(isSerializationFailure({ code: 40001 })).toBe(false);
    expect(isSerializationFailure(new Error('40001'))).toBe(false);
    expect(isSerializationFailure('40001')).toBe(false);
    expect(isSerializationFailure(null)).toBe(false);
    expect(isSerializationFailure(undefined)).toBe(false);
    const cyclic: { code: string; cause?: unknown } = { code: 'x' };
    cyclic.cause = cyclic;
    expect(isSerializationFailure(cyclic)).toBe(false);
  });
});
