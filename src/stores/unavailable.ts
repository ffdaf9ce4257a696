/**
 * Shared failure handling of store calls: every driver error or dropped
 * connection becomes a `PresenceError` coded `STORE_UNAVAILABLE` (cause
 * attached), and a call past its deadline one coded `STORE_TIMEOUT`: its
 * outcome is unknown (the server may still apply it), and retrying is safe.
 *
 * @module
 */
import { settleWithin } from '../deadline.js';
import { PresenceConfigError, PresenceError } from '../errors.js';

/** Default bound on one store call, in milliseconds. */
export const DEFAULT_STORE_TIMEOUT_MS = 5_000;

/**
 * Checks a `timeoutMs` option: a positive finite number, or `undefined` for
 * the default.
 *
 * @param timeoutMs - the option as given
 * @returns the bound to use, in milliseconds
 * @throws PresenceConfigError `INVALID_OPTION` when it is not a positive finite number
 */
export const resolveTimeoutMs = (timeoutMs: number | undefined): number => {
  if (timeoutMs === undefined) return DEFAULT_STORE_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new PresenceConfigError('INVALID_OPTION', `timeoutMs must be a positive finite number of milliseconds, got ${String(timeoutMs)}`);
  }
  return timeoutMs;
};

/**
 * Turns any failure into `PresenceError('STORE_UNAVAILABLE')`; a
 * `PresenceError` passes through unchanged.
 *
 * @param backend - e.g. `redis`, `postgres`, named in the message
 * @param operation - the store method that failed
 * @param error - what the driver threw
 * @returns the typed error to throw
 */
export const toUnavailable = (backend: string, operation: string, error: unknown): PresenceError => {
  if (error instanceof PresenceError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new PresenceError('STORE_UNAVAILABLE', `${backend} store: ${operation} failed: ${reason}`, { cause: error });
};

/**
 * Settles with `pending`, or rejects with `STORE_TIMEOUT` after `timeoutMs`;
 * a rejection of `pending` becomes {@link toUnavailable}. A call that loses
 * the race is still awaited in the background (its late rejection is
 * swallowed, never unhandled); its effect may still land on the server, which
 * is why the deadline has its own code.
 *
 * @param backend - e.g. `redis`, named in the message
 * @param operation - the store method, named in the message
 * @param timeoutMs - the bound, in milliseconds
 * @param pending - the call in flight
 * @param withdraw - optional: asked when the bound passes, takes the call back if it was never sent and says whether it did; then the outcome is known (nothing applied) and the rejection is `STORE_UNAVAILABLE`
 * @returns what `pending` resolved to
 */
export const withDeadline = <T>(backend: string, operation: string, timeoutMs: number, pending: PromiseLike<T>, withdraw?: () => boolean): Promise<T> =>
  settleWithin(
    pending,
    timeoutMs,
    () =>
      withdraw?.() === true
        ? new PresenceError('STORE_UNAVAILABLE', `${backend} store: ${operation} was not sent within ${timeoutMs} ms (calls before it were still out); nothing was applied: retry it.`)
        : new PresenceError(
            'STORE_TIMEOUT',
            `${backend} store: ${operation} timed out after ${timeoutMs} ms; it may still be applied (outcome unknown): retry it, presence writes are safe to repeat.`,
          ),
    (error) => toUnavailable(backend, operation, error),
  );

/**
 * Runs one store call bounded by `timeoutMs` (see {@link withDeadline}); a
 * synchronous throw of `run` becomes a rejection too.
 *
 * @param backend - e.g. `redis`, named in the message
 * @param operation - the store method, named in the message
 * @param timeoutMs - the bound, in milliseconds
 * @param run - starts the call
 * @param withdraw - optional: as {@link withDeadline}'s
 * @returns what `run` resolved to
 */
export const guarded = <T>(backend: string, operation: string, timeoutMs: number, run: () => Promise<T>, withdraw?: () => boolean): Promise<T> => {
  let pending: Promise<T>;
  try {
    // The call's own promise, not one resolved with it (that costs two more turns of the microtask queue per call).
    pending = run();
  } catch (error) {
    pending = Promise.reject(error);
  }
  return withDeadline(backend, operation, timeoutMs, pending, withdraw);
};
