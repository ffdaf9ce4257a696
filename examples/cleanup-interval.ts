/**
 * Firing `presence:cleanup` without Elysia: a plain `setInterval`, for hosts
 * that have no cron plugin (a worker, a serverless warm instance, tests).
 * With Elysia, use sync's `scheduled()` plugin instead (README, "Wiring
 * cleanup").
 *
 * @module
 */

/** The one engine method this needs (`@absolutejs/sync`'s engine and the reference engine both have it). */
export interface ScheduleRunner {
  /** Runs a registered schedule once. */
  runSchedule(name: string): Promise<void>;
}

/** Options of {@link runCleanupEvery}. */
export interface CleanupTimerOptions {
  /** The schedule to fire: `pack.names.cleanup`. */
  schedule: string;
  /** Milliseconds between runs; a few seconds, well under the heartbeat TTL. */
  everyMs: number;
  /** Told about a failed run (the next run retries); `console.error` by default. */
  onError?: (error: unknown) => void;
}

/**
 * Runs the cleanup schedule every `everyMs` until the returned function is
 * called. A run still in progress when the next tick comes is not
 * overlapped: that tick is skipped. The timer does not keep the process alive.
 *
 * @example
 * ```ts
 * const stop = runCleanupEvery(engine, { schedule: pack.names.cleanup, everyMs: 15_000 });
 * process.once('SIGTERM', stop);
 * ```
 */
export const runCleanupEvery = (engine: ScheduleRunner, options: CleanupTimerOptions): (() => void) => {
  const { schedule, everyMs, onError = (error: unknown) => console.error(`${schedule} failed:`, error) } = options;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    engine
      .runSchedule(schedule)
      .catch(onError)
      .finally(() => {
        running = false;
      });
  }, everyMs);
  timer.unref?.();
  return () => clearInterval(timer);
};
