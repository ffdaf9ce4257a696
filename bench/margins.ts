/**
 * Detection margins: for every zoo specimen (broken stores and broken packs),
 * how many runs its invariant needs to catch it, over many seeds. A kit whose
 * worst case sits near its default run count catches that bug by luck; the
 * target is a worst case under half of it. Prints a Markdown table (kept in
 * `bench/MARGINS.md`). Not part of `npm test`: it certifies each specimen
 * hundreds of times.
 *
 * ```sh
 * npm run margins                  # MARGIN_SEEDS=200 by default
 * ```
 *
 * @module
 */
import fc from 'fast-check';
import { DEFAULT_NUM_RUNS, runCertification } from '../spec/certify.js';
import type { InvariantCheck } from '../spec/invariant.js';
import { storeChecks } from '../spec/invariants.js';
import { packChecks } from '../spec/pack/certify.js';
import type { PackSubject } from '../spec/pack/subject.js';
import { createMemoryPresenceStore } from '../src/stores/memory.js';
import { brokenPacks } from '../test/pack-zoo/broken-packs.js';
import { zoo } from '../test/zoo/index.js';
import { int, printTable } from './table.js';

const SEEDS = Number(process.env['MARGIN_SEEDS'] ?? 200);

/** A specimen as the margins see it: what to certify, and under which invariant. */
interface Target {
  readonly name: string;
  readonly caughtBy: string;
  readonly subject: PackSubject;
}

const targets: Target[] = [
  ...zoo.map((specimen) => ({ name: specimen.name, caughtBy: specimen.caughtBy, subject: { create: specimen.create } })),
  ...brokenPacks.map((broken) => ({
    name: `pack: ${broken.name}`,
    caughtBy: broken.caughtBy,
    subject: { create: () => createMemoryPresenceStore(), createPack: broken.createPack },
  })),
];

/** `MARGIN_ONLY=text` measures only the specimens whose name contains it. */
const only = process.env['MARGIN_ONLY'];

const checks: readonly InvariantCheck<PackSubject>[] = [...storeChecks, ...packChecks];

/** Runs the invariant's check has at the default run count. */
const defaultRuns = (id: string): number => {
  const check = checks.find((candidate) => candidate.invariant.id === id);
  return Math.max(1, Math.round(DEFAULT_NUM_RUNS * (check?.weight ?? 1)));
};

/** Runs to the first failure for each seed (`Infinity` when the default runs never caught it). */
const runsToDetect = async (target: Target): Promise<number[]> => {
  const counts: number[] = [];
  for (let seed = 1; seed <= SEEDS; seed += 1) {
    const report = await runCertification(checks, target.subject, { seed, only: [target.caughtBy] });
    const [result] = report.results;
    counts.push(result?.status === 'failed' ? result.runs : Infinity);
  }
  return counts;
};

const median = (sorted: readonly number[]): number => sorted[Math.floor((sorted.length - 1) / 2)]!;

const main = async (): Promise<void> => {
  // Only the first failing run matters here: skip shrinking.
  fc.configureGlobal({ endOnFailure: true });
  const rows: string[][] = [];
  let bad = 0;
  for (const target of targets.filter((candidate) => only === undefined || candidate.name.includes(only))) {
    const started = performance.now();
    const counts = (await runsToDetect(target)).sort((a, b) => a - b);
    const worst = counts[counts.length - 1]!;
    const budget = defaultRuns(target.caughtBy);
    const ok = worst < budget / 2;
    if (!ok) bad += 1;
    rows.push([
      target.name,
      target.caughtBy,
      int(median(counts)),
      Number.isFinite(worst) ? int(worst) : 'missed',
      int(budget),
      ok ? 'yes' : 'NO',
      int(performance.now() - started),
    ]);
    console.error(`${target.name}: median ${median(counts)}, worst ${worst} of ${budget}`);
  }
  printTable(
    `Runs to detect, over seeds 1..${SEEDS} (default runs ${DEFAULT_NUM_RUNS}, scaled by each check's weight)`,
    ['specimen', 'caught by', 'median', 'worst', 'default runs', 'worst < half', 'ms'],
    rows,
  );
  if (bad > 0) {
    console.error(`${bad} specimen(s) with a worst case at or above half the default runs`);
    process.exitCode = 1;
  }
};

await main();
