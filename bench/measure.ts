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
  /** Operations per second. */
  perSec: number;
  /** Microseconds per operation. */
  usPerOp: number;
  /** Operations per second of this process's CPU time (user + system, all threads). */
  perCpuSec: number;
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
  /** Force a full GC between warm-up and timing (off when profiling, so the profile holds the loop only). */
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
 * Runs `op(i)` sequentially (each awaited) for a warm-up, then for the budget,
 * and returns the rate. `op` receives a running counter for picking inputs.
 */
export const measure = async (op: (i: number) => Promise<unknown>, limits: Partial<LoopLimits> = {}): Promise<Rate> => {
  const { budgetMs, warmupMs, maxOps, minOps, collectFirst } = { ...defaultLimits, ...limits };
  let i = 0;
  const warmEnd = performance.now() + warmupMs;
  while (i < maxOps && performance.now() < warmEnd) await op(i++);
  if (collectFirst) collect();
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  let ops = 0;
  let elapsed = 0;
  while (ops < maxOps) {
    await op(i++);
    ops++;
    // Reading the clock every 8 ops keeps its cost out of fast loops.
    if ((ops & 7) === 0 || elapsed > 0 || ops < 8) {
      elapsed = performance.now() - start;
      if (elapsed >= budgetMs && ops >= minOps) break;
      elapsed = 0;
    }
  }
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return { ops, ms, perSec: (ops * 1000) / ms, usPerOp: (ms * 1000) / ops, perCpuSec: (ops * 1000) / cpuMs };
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
