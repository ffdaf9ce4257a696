/**
 * Certification: runs every selected check, each as its own property, and
 * reports invariant by invariant. Runner-agnostic: no test framework involved.
 *
 * @module
 */
import type { PresenceStore } from '../src/store.js';
import type { Invariant, InvariantCheck, InvariantLevel, StoreSubject } from './invariant.js';
import { storeChecks } from './invariants.js';

/** Runs per check when none are asked for: a full in-memory certification takes a few seconds. */
export const DEFAULT_NUM_RUNS = 400;

/** The verdict on one invariant. */
export interface InvariantResult {
  /** Stable invariant id. */
  id: string;
  /** `MUST` or `SHOULD`. */
  level: InvariantLevel;
  /** One line. */
  title: string;
  /** Whether the property held on every run. */
  status: 'passed' | 'failed';
  /** Runs executed (a failure counts the run that failed). */
  runs: number;
  /** The shrunk counterexample, printed. */
  counterexample?: string;
  /** The seed the property ran with. */
  seed?: number;
  /** Opaque replay path: pass it back with the same `seed`, `numRuns` and `only: [id]` to replay the counterexample. */
  path?: string;
  /** Why it failed. */
  error?: string;
  /** Wall time of this invariant's property, in milliseconds. */
  durationMs: number;
}

/** The outcome of a certification. */
export interface CertificationReport {
  /** True iff no `MUST` invariant failed. */
  passed: boolean;
  /** One result per invariant checked, in catalog order. */
  results: InvariantResult[];
  /** The seed every property ran with. */
  seed: number;
  /** The `numRuns` asked for (each check scales it by its weight). */
  numRuns: number;
  /** Wall time of the whole certification, in milliseconds. */
  durationMs: number;
}

/** An invariant has started. */
export interface CertifyStarted {
  /** Which event. */
  phase: 'start';
  /** The invariant now running. */
  invariant: Invariant;
  /** Its position among the checked invariants, from 0. */
  index: number;
  /** How many invariants are checked. */
  total: number;
}

/** An invariant has finished. */
export interface CertifyFinished extends Omit<CertifyStarted, 'phase'> {
  /** Which event. */
  phase: 'done';
  /** Its verdict. */
  result: InvariantResult;
}

/** Progress of a certification: each invariant is announced when it starts and when it ends. */
export type CertifyProgress = CertifyStarted | CertifyFinished;

/** How to run a certification, whatever is certified. */
export interface CertifyRunOptions {
  /** Runs per check, scaled by each check's weight; {@link DEFAULT_NUM_RUNS} by default. */
  numRuns?: number;
  /** Seed of every property; random by default (and reported, so a failure can be replayed). */
  seed?: number;
  /** Replays one counterexample path; requires `only` to name exactly one invariant. */
  path?: string;
  /** Ids of the invariants to check; all by default. */
  only?: readonly string[];
  /** Called as each invariant starts and ends. */
  onProgress?: (event: CertifyProgress) => void;
}

/** Options of {@link certifyPresenceStore}: the store factory (of your store's type `Store`) and how to run. */
export interface CertifyStoreOptions<Store extends PresenceStore = PresenceStore> extends StoreSubject<Store>, CertifyRunOptions {}

const randomSeed = (): number => Math.floor(Math.random() * 0x7fffffff);

/** Picks the checks `only` names, in catalog order; throws on an unknown id. */
const select = <Subject>(checks: readonly InvariantCheck<Subject>[], only: readonly string[] | undefined) => {
  if (only === undefined) return [...checks];
  const known = new Set(checks.map((check) => check.invariant.id));
  const unknown = only.filter((id) => !known.has(id));
  if (unknown.length > 0) throw new Error(`Unknown invariant id(s): ${unknown.join(', ')}. Known: ${[...known].join(', ')}`);
  return checks.filter((check) => only.includes(check.invariant.id));
};

const validate = (numRuns: number, seed: number): void => {
  if (!Number.isInteger(numRuns) || numRuns < 1) throw new RangeError(`numRuns must be a positive integer, got ${numRuns}`);
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
};

/** Runs `checks` against `subject`, each as its own property, and reports. The engine of every certifier. */
export const runCertification = async <Subject>(
  checks: readonly InvariantCheck<Subject>[],
  subject: Subject,
  options: CertifyRunOptions = {},
): Promise<CertificationReport> => {
  const started = performance.now();
  const numRuns = options.numRuns ?? DEFAULT_NUM_RUNS;
  const seed = options.seed ?? randomSeed();
  validate(numRuns, seed);
  const selected = select(checks, options.only);
  if (options.path !== undefined && selected.length !== 1) {
    throw new Error('A path replays one invariant: pass `only` with exactly the id the path came from');
  }
  const results: InvariantResult[] = [];
  for (const [index, check] of selected.entries()) {
    const { invariant } = check;
    const total = selected.length;
    options.onProgress?.({ phase: 'start', invariant, index, total });
    const checkStarted = performance.now();
    const runs = Math.max(1, Math.round(numRuns * (check.weight ?? 1)));
    const outcome = await check.run(subject, { seed, numRuns: runs, ...(options.path === undefined ? {} : { path: options.path }) });
    const result: InvariantResult = {
      id: invariant.id,
      level: invariant.level,
      title: invariant.title,
      status: outcome.failed || outcome.runs === 0 ? 'failed' : 'passed',
      runs: outcome.runs,
      seed,
      ...(outcome.counterexample === undefined ? {} : { counterexample: outcome.counterexample }),
      ...(outcome.path === undefined ? {} : { path: outcome.path }),
      ...(outcome.error === undefined ? (outcome.runs === 0 ? { error: 'no run executed, so nothing was proven' } : {}) : { error: outcome.error }),
      durationMs: Math.round(performance.now() - checkStarted),
    };
    results.push(result);
    options.onProgress?.({ phase: 'done', invariant, index, total, result });
  }
  return {
    passed: results.every((result) => result.status === 'passed' || result.level !== 'MUST'),
    results,
    seed,
    numRuns,
    durationMs: Math.round(performance.now() - started),
  };
};

/**
 * Certifies a presence store: every store invariant of the catalog, each by
 * its own property over fresh stores from `create`.
 *
 * @example
 * ```ts
 * import { createMemoryPresenceStore } from '@absolutejs/sync-pack-presence';
 * import { certifyPresenceStore, formatReport } from '@absolutejs/sync-pack-presence/spec';
 *
 * const report = await certifyPresenceStore({ create: () => createMemoryPresenceStore(), numRuns: 200 });
 * console.log(formatReport(report)); // a table: id, level, status, runs
 * if (!report.passed) process.exitCode = 1;
 * ```
 */
export const certifyPresenceStore = <Store extends PresenceStore>(options: CertifyStoreOptions<Store>): Promise<CertificationReport> => {
  const { create, destroy, ...run } = options;
  const subject: StoreSubject<Store> = destroy === undefined ? { create } : { create, destroy };
  return runCertification<StoreSubject>(storeChecks, subject, run);
};
