/**
 * Shared failure handling of the networked stores: every driver error,
 * dropped connection or slow call becomes a `PresenceError` with code
 * `STORE_UNAVAILABLE` (cause attached), so callers handle one typed error
 * whatever the backend.
 *
 * @module
 */
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
 * Runs one store call bounded by `timeoutMs`; a rejection or the deadline
 * becomes `STORE_UNAVAILABLE`. A call that loses the race is still awaited
 * in the background (its late rejection is swallowed, never unhandled); its
 * effect may still land on the server, as with any timed-out network write.
 *
 * @param backend - e.g. `redis`, named in the message
 * @param operation - the store method, named in the message
 * @param timeoutMs - the bound, in milliseconds
 * @param run - starts the call
 * @returns what `run` resolved to
 */
export const guarded = <T>(backend: string, operation: string, timeoutMs: number, run: () => Promise<T>): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new PresenceError('STORE_UNAVAILABLE', `${backend} store: ${operation} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    // A pending timer must not keep a process alive that has nothing else to do.
    timer.unref();
    // The executor turns a synchronous throw of `run` into a rejection too.
    new Promise<T>((started) => started(run())).then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(toUnavailable(backend, operation, error));
      },
    );
  });
