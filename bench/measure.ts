/**
 * Time-capped measurement: every loop stops at its time budget, so a slow
 * subject (the 0.3 baseline at large sizes) costs seconds, not minutes.
 *
 * @module
 */
import { performance } from 'node:perf_hooks';

/** One measured loop. */
export interface Rate {
  /** Operations timed (after warm-up). */
  ops: number;
  /** Wall time of those operations, ms. */
  ms: number;
  /**
   * Operations per second: the median over the loop's windows (five of them
   * when the loop runs its full budget), so one burst of load from another
   * process on a shared machine does not move the figure.
   */
  perSec: number;
  /** Microseconds per operation, from {@link Rate.perSec}. */
  usPerOp: number;
  /** Operations per second over the whole loop (every window, every pause). */
  meanPerSec: number;
  /** Operations per second of this process's CPU time (user + system, all threads), whole loop. */
  perCpuSec: number;
  /** Per-window rates, operations per second. */
  windows: number[];
}

/** Limits of one loop. */
export interface LoopLimits {
  /** Stop timing after this many ms (checked every few ops). */
  budgetMs: number;
  /** Warm-up time before timing, ms. */
  warmupMs: number;
  /** Never run more operations than this. */
  maxOps: number;
  /** Time at least this many operations, even past the budget. */
  minOps: number;
  /** Force a full GC before the warm-up (off when profiling, so the profile holds the loop only). */
  collectFirst: boolean;
}

/** Defaults: 150 ms warm-up, then 1 s or 300 000 operations. */
export const defaultLimits: LoopLimits = { budgetMs: 1000, warmupMs: 150, maxOps: 300_000, minOps: 3, collectFirst: true };

/** Forces a full GC when node runs with `--expose-gc`. */
export const collect = (): void => {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) {
    gc();
    gc();
  }
};

/** Whether GC can be forced. */
export const canCollect = (): boolean => typeof (globalThis as { gc?: unknown }).gc === 'function';

/**
 * Runs `op(i)` sequentially (each awaited): a full GC, a warm-up, then the
 * timed budget in five windows; returns the rate. `op` receives a running
 * counter for picking inputs.
 */
export const measure = async (op: (i: number) => Promise<unknown>, limits: Partial<LoopLimits> = {}): Promise<Rate> => {
  const { budgetMs, warmupMs, maxOps, minOps, collectFirst } = { ...defaultLimits, ...limits };
  // Collect first, then warm up: V8 finishes sweeping after the forced GC (and
  // after a large fill) during the warm-up instead of inside the timed loop.
  if (collectFirst) collect();
  let i = 0;
  const warmStart = performance.now();
  const warmEnd = warmStart + warmupMs;
  while (i < maxOps && performance.now() < warmEnd) await op(i++);
  // Fast loops read the clock every 8 ops, to keep its cost out of them; slow ones every op.
  const stride = i > 0 && (performance.now() - warmStart) / i < 20 / 1000 ? 8 : 1;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const windowMs = budgetMs / 5;
  const windows: number[] = [];
  let windowStart = start;
  let windowOps = 0;
  let ops = 0;
  while (ops < maxOps) {
    await op(i++);
    ops++;
    windowOps++;
    if (ops % stride === 0) {
      const now = performance.now();
      if (now - windowStart >= windowMs) {
        windows.push((windowOps * 1000) / (now - windowStart));
        windowStart = now;
        windowOps = 0;
      }
      if (now - start >= budgetMs && ops >= minOps) break;
    }
  }
  const end = performance.now();
  if (windowOps > 0 && (windows.length === 0 || end - windowStart >= windowMs / 2)) windows.push((windowOps * 1000) / (end - windowStart));
  const ms = end - start;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const perSec = median(windows);
  return { ops, ms, perSec, usPerOp: 1e6 / perSec, meanPerSec: (ops * 1000) / ms, perCpuSec: (ops * 1000) / cpuMs, windows };
};

/** Times one async call, ms. */
export const timeOnce = async (op: () => Promise<unknown> | unknown): Promise<number> => {
  const start = performance.now();
  await op();
  return performance.now() - start;
};

/** The median of some numbers. */
export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
