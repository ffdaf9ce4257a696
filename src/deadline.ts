/**
 * One bounded wait: a promise that settles with the call it watches, or
 * rejects once its deadline passes. Used for store calls and for the
 * `canAccessChannel` gate, so no user-supplied promise can hang the pack.
 *
 * @module
 */

/**
 * Settles with `pending`, or rejects with `onTimeout()` after `timeoutMs`; a
 * rejection of `pending` is mapped by `onError`. The loser of the race is
 * still awaited in the background, so its late rejection is never unhandled.
 *
 * @param pending - the call in flight
 * @param timeoutMs - the bound, in milliseconds
 * @param onTimeout - the error to reject with when the bound passes first
 * @param onError - maps a rejection of `pending`
 * @returns what `pending` resolved to
 */
export const settleWithin = <T>(pending: PromiseLike<T>, timeoutMs: number, onTimeout: () => Error, onError: (error: unknown) => unknown): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), timeoutMs);
    // A pending timer must not keep a process alive that has nothing else to do.
    timer.unref?.();
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(onError(error));
      },
    );
  });
