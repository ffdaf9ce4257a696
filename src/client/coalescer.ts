/**
 * Cursor coalescing: a pointer fires hundreds of moves a second; the server
 * needs the latest one, at most once per tick. Only the newest value waits,
 * one send is in flight at a time (a slow link cannot queue a backlog), and
 * the trailing value is always sent once the tick and the previous send allow.
 *
 * @module
 */
import type { TimerHandle } from './environment.js';

/** How a coalescer waits for its next tick. */
export interface TickScheduler {
  /** Calls `callback` at the next tick; returns the handle to cancel it. */
  schedule(callback: () => void): TimerHandle;
  /** Cancels a scheduled tick. */
  cancel(handle: TimerHandle): void;
}

/** Latest-value-wins sender. */
export interface Coalescer<T> {
  /** Replaces the waiting value; it goes out at the next tick after any send in flight. */
  push(value: T): void;
  /** Drops the waiting value and cancels the tick. */
  dispose(): void;
}

/**
 * A coalescer that sends through `send`. A failing send is the sender's
 * business (it reports its own errors); the next value still goes out.
 *
 * @param ticks - when a waiting value may go out
 * @param send - sends one value; the next send waits for it to settle
 */
export const createCoalescer = <T>(ticks: TickScheduler, send: (value: T) => Promise<unknown>): Coalescer<T> => {
  let waiting: { value: T } | undefined;
  let tick: { handle: TimerHandle } | undefined;
  let inFlight = false;
  let disposed = false;

  const arm = (): void => {
    if (disposed || tick !== undefined || inFlight || waiting === undefined) return;
    tick = { handle: ticks.schedule(fire) };
  };

  const fire = (): void => {
    tick = undefined;
    const next = waiting;
    if (disposed || next === undefined) return;
    waiting = undefined;
    inFlight = true;
    void send(next.value)
      .catch(() => undefined)
      .finally(() => {
        inFlight = false;
        arm();
      });
  };

  return {
    push(value) {
      waiting = { value };
      arm();
    },
    dispose() {
      disposed = true;
      waiting = undefined;
      if (tick !== undefined) ticks.cancel(tick.handle);
      tick = undefined;
    },
  };
};

/**
 * Ticks at most every `intervalMs`, measured from the previous tick: the
 * first move after a quiet spell goes out at once.
 *
 * @param env - the clock and timers
 * @param intervalMs - smallest gap between two ticks
 */
export const rateTicks = (
  env: { now(): number; setTimeout(callback: () => void, ms: number): TimerHandle; clearTimeout(handle: TimerHandle): void },
  intervalMs: number,
): TickScheduler => {
  let last = -Infinity;
  return {
    schedule: (callback) =>
      env.setTimeout(
        () => {
          last = env.now();
          callback();
        },
        Math.max(0, last + intervalMs - env.now()),
      ),
    cancel: (handle) => env.clearTimeout(handle),
  };
};
