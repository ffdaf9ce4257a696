/**
 * CPU time per operation over interleaved rounds, for ratios that must hold
 * on a loaded machine: every loop runs a short round in turn (the order
 * rotates each round), each round's cost is this process's CPU time (user +
 * system, GC threads included) divided by its operations, and a ratio of two
 * loops is the median of their per-round ratios. Two loops of the same round
 * ran within milliseconds of each other, under the same load from other
 * processes; wall-clock rates measured seconds apart do not.
 *
 * @module
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { median } from './measure.js';

/** One operation of a loop; `k` counts its calls. A promise is awaited, anything else is not. */
export type Op = (k: number) => unknown;

/** Options of {@link cpuRounds}. */
export interface RoundOptions {
  /** Rounds (each runs every loop once). */
  rounds: number;
  /** Wall time of one loop's turn in a round, ms. */
  roundMs: number;
  /** Untimed turn of each loop before the first round, ms. */
  warmupMs: number;
}

/** What {@link cpuRounds} measured. */
export interface RoundsResult {
  /** CPU µs per operation of each loop, one entry per round. */
  usPerOp: Record<string, number[]>;
  /** The 1-minute load average before the first round and after the last. */
  load: [number, number];
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';

/** Runs `op` for `ms` of wall time from call `k`; returns the calls made and the CPU µs they took. */
const turn = async (op: Op, k: number, ms: number): Promise<{ ops: number; cpuUs: number }> => {
  const cpu = process.cpuUsage();
  const end = performance.now() + ms;
  let ops = 0;
  do {
    for (let batch = 0; batch < 8; batch++) {
      const answer = op(k + ops++);
      if (isThenable(answer)) await answer;
    }
  } while (performance.now() < end);
  const used = process.cpuUsage(cpu);
  return { ops, cpuUs: used.user + used.system };
};

/** Measures every loop of `loops` in interleaved rounds (see the module documentation). */
export const cpuRounds = async (loops: Record<string, Op>, options: RoundOptions): Promise<RoundsResult> => {
  const names = Object.keys(loops);
  const calls = new Map(names.map((name) => [name, 0]));
  const usPerOp: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  const run = async (name: string, ms: number): Promise<{ ops: number; cpuUs: number }> => {
    const result = await turn(loops[name]!, calls.get(name)!, ms);
    calls.set(name, calls.get(name)! + result.ops);
    return result;
  };
  for (const name of names) await run(name, options.warmupMs);
  const before = loadavg()[0]!;
  for (let round = 0; round < options.rounds; round++) {
    const order = names.map((_, index) => names[(index + round) % names.length]!);
    for (const name of round % 2 === 0 ? order : order.reverse()) {
      const { ops, cpuUs } = await run(name, options.roundMs);
      usPerOp[name]!.push(cpuUs / ops);
    }
  }
  return { usPerOp, load: [before, loadavg()[0]!] };
};

/** The median CPU µs per operation of one loop. */
export const medianUs = (result: RoundsResult, name: string): number => median(result.usPerOp[name]!);

/** The median over rounds of `numerator`'s cost ÷ `denominator`'s in the same round. */
export const pairedRatio = (result: RoundsResult, numerator: string, denominator: string): number => {
  const top = result.usPerOp[numerator]!;
  const bottom = result.usPerOp[denominator]!;
  return median(top.map((value, round) => value / bottom[round]!));
};
