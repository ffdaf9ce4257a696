/**
 * Retry of mutations and schedules (ENGINE_CONTRACT.md §8). A failed attempt
 * is retried only while `attempt < maxAttempts && isRetryable(err) &&
 * elapsed < maxElapsedMs`; the delay is clamped to the remaining budget.
 * Once more than one attempt ran, the final error is wrapped in
 * `RetriesExhaustedError`, whatever stopped the retries.
 *
 * @module
 */
import type { RetryPolicy } from '../../src/contract.js';
import { RetriesExhaustedError } from './errors.js';

/** Postgres SQLSTATEs for serialization failure and deadlock. */
const SERIALIZATION_CODES: ReadonlySet<unknown> = new Set(['40001', '40P01']);

/** Deepest `cause` chain inspected; guards against cyclic causes. */
const MAX_CAUSE_DEPTH = 16;

/** Attempts when a policy omits `maxAttempts`. */
const DEFAULT_MAX_ATTEMPTS = 5;

/** Time budget when a policy omits `maxElapsedMs`. */
const DEFAULT_MAX_ELAPSED_MS = 30_000;

/** Options of {@link exponentialBackoff}. */
export interface ExponentialBackoffOptions {
  /** Delay after the first failed attempt; default 25 ms. */
  baseMs?: number;
  /** Growth per attempt; default 2. */
  factor?: number;
  /** Cap applied before jitter; default 1000 ms. */
  maxMs?: number;
  /** Relative jitter, the delay is scaled by `1 ± jitter·rand`; default 0.2. */
  jitter?: number;
  /**
   * Source of randomness in [0, 1); default `Math.random`. Reference-engine
   * extension so tests get deterministic delays.
   */
  random?: () => number;
}

/**
 * The engine's default backoff: `attempt ↦ min(maxMs, baseMs·factor^(attempt−1))
 * · (1 ± jitter·rand)`. The cap comes before jitter, so a delay can reach
 * `maxMs·(1 + jitter)` (W19).
 *
 * @param options - curve and jitter settings
 * @returns the delay in milliseconds before attempt `attempt + 1`
 */
export function exponentialBackoff(options: ExponentialBackoffOptions = {}): (attempt: number) => number {
  const { baseMs = 25, factor = 2, maxMs = 1000, jitter = 0.2, random = Math.random } = options;
  return (attempt) => {
    const capped = Math.min(maxMs, baseMs * factor ** (attempt - 1));
    return capped * (1 + jitter * (2 * random() - 1));
  };
}

/**
 * Whether an error is a Postgres serialization failure or deadlock
 * (`code` 40001 / 40P01), on the error itself or anywhere in its `cause` chain.
 *
 * @param error - anything thrown
 * @returns true when retrying the transaction may succeed
 */
export function isSerializationFailure(error: unknown): boolean {
  let current = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH; depth++) {
    if (typeof current !== 'object' || current === null) return false;
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (SERIALIZATION_CODES.has(code)) return true;
    current = cause;
  }
  return false;
}

/** Clock and sleep the retry loop runs on. */
export interface RetryClock {
  /** Current time in milliseconds. */
  now: () => number;
  /** Waits `ms` milliseconds. */
  sleep: (ms: number) => Promise<void>;
  /** Randomness for the default backoff's jitter. */
  random: () => number;
}

/**
 * Runs `attempt` under `policy` (no policy ⇒ exactly one attempt).
 *
 * @param policy - the mutation's or schedule's retry settings
 * @param clock - time source, sleep and randomness
 * @param attempt - one full attempt; re-run from scratch on retry
 * @returns the first successful attempt's result
 */
export function runWithRetry<T>(
  policy: RetryPolicy | undefined,
  clock: RetryClock,
  attempt: () => Promise<T>,
): Promise<T> {
  // No policy: one attempt, its error unchanged, and no extra promise around it.
  return policy ? retrying(policy, clock, attempt) : attempt();
}

/** The retry loop of {@link runWithRetry} under a policy. */
async function retrying<T>(policy: RetryPolicy, clock: RetryClock, attempt: () => Promise<T>): Promise<T> {
  const maxAttempts = policy.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const maxElapsedMs = policy.maxElapsedMs ?? DEFAULT_MAX_ELAPSED_MS;
  const isRetryable = policy.isRetryable ?? isSerializationFailure;
  const startedAt = clock.now();
  for (let attempts = 1; ; attempts++) {
    try {
      return await attempt();
    } catch (error) {
      const elapsedMs = clock.now() - startedAt;
      if (attempts < maxAttempts && isRetryable(error) && elapsedMs < maxElapsedMs) {
        const backoff = policy.backoff ?? exponentialBackoff({ random: clock.random });
        const delay = Math.max(0, Math.min(backoff(attempts), maxElapsedMs - elapsedMs));
        await clock.sleep(delay);
        continue;
      }
      if (attempts > 1) throw new RetriesExhaustedError(attempts, elapsedMs, error);
      throw error;
    }
  }
}
