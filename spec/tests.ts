/**
 * The runner-agnostic test binding: one named test per store invariant, each
 * running only its own invariant's property, so a failing test names the rule
 * a store breaks. Pass your runner's `describe` and `it` (vitest, bun, jest,
 * node:test); `spec/vitest.ts` passes vitest's.
 *
 * @module
 */
import type { PresenceStore } from '../src/store.js';
import { certifyPresenceStore, type CertificationReport, type CertifyRunOptions } from './certify.js';
import type { Invariant, StoreSubject } from './invariant.js';
import { certifyPresencePack, packInvariants } from './pack/certify.js';
import type { PackSubject } from './pack/subject.js';
import { storeInvariants } from './invariants.js';
import { formatFailure, type ReplayFormatter } from './report.js';

/** A runner's `describe`: registers a group of tests. */
export type SuiteFunction = (name: string, body: () => void) => unknown;

/** A runner's `it`: registers one async test with an optional timeout in milliseconds. */
export type TestFunction = (name: string, body: () => Promise<void>, timeout?: number) => unknown;

/**
 * Options of {@link definePresenceStoreTests}. A failing test prints the
 * `only`, `seed`, `numRuns` and `path` that replay it: add them here.
 */
export interface PresenceStoreTestOptions<Store extends PresenceStore = PresenceStore> extends StoreSubject<Store>, Omit<CertifyRunOptions, 'onProgress'> {
  /** Per-test timeout in milliseconds (60 000 by default). */
  timeoutMs?: number;
}

/** Runner functions to register tests with. */
export interface TestRunner {
  /** The runner's `describe`. */
  describe: SuiteFunction;
  /** The runner's `it` (or `test`). */
  it: TestFunction;
}

/** The test name of an invariant: `STORE-LWW: last writer wins by heartbeatAt`. */
export const invariantTestName = (invariant: { id: string; title: string }): string => `${invariant.id}: ${invariant.title}`;

/** The replay of a failed test: the options to add to the same describe call. */
const replayInRunner: ReplayFormatter = (result, numRuns) =>
  `add { only: [${JSON.stringify(result.id)}], seed: ${result.seed}, numRuns: ${numRuns}${
    result.path === undefined ? '' : `, path: ${JSON.stringify(result.path)}`
  } } to this describe call's options`;

/** Registers one test per invariant of `catalog`, each certifying only its own invariant with `certify`. */
const defineInvariantTests = <Options extends { only?: readonly string[]; path?: string; seed?: number; timeoutMs?: number } & TestRunner>(
  name: string,
  catalog: readonly Invariant[],
  options: Options,
  certify: (rest: Omit<Options, keyof TestRunner | 'only' | 'timeoutMs'>, id: string) => Promise<CertificationReport>,
): void => {
  const { describe, it, timeoutMs = 60_000, only, ...rest } = options;
  if (rest.path !== undefined && (only?.length !== 1 || rest.seed === undefined)) {
    throw new Error(`${name}: a path replays one counterexample: pass it with its seed and numRuns, and only: [the one invariant id it came from]`);
  }
  const invariants = only === undefined ? catalog : catalog.filter((invariant) => only.includes(invariant.id));
  describe(name, () => {
    for (const invariant of invariants) {
      it(
        invariantTestName(invariant),
        async () => {
          const report = await certify(rest, invariant.id);
          const failure = report.results.find((result) => result.status === 'failed');
          if (failure !== undefined) throw new Error(formatFailure(failure, report.numRuns, replayInRunner));
        },
        timeoutMs,
      );
    }
  });
};

/**
 * Registers `describe(name)` with one test per store invariant (those in
 * `only`, or all). Each test certifies its invariant alone and fails with the
 * counterexample, seed and path. A `SHOULD` failure fails its test too; leave
 * such ids out of `only` to tolerate them.
 */
export const definePresenceStoreTests = <Store extends PresenceStore>(name: string, options: PresenceStoreTestOptions<Store> & TestRunner): void =>
  defineInvariantTests(name, storeInvariants, options, (rest, id) => certifyPresenceStore<Store>({ ...rest, only: [id] }));

/** Options of {@link definePresencePackTests}; a failing test prints the options that replay it, as for the store tests. */
export interface PresencePackTestOptions<Store extends PresenceStore = PresenceStore> extends PackSubject<Store>, Omit<CertifyRunOptions, 'onProgress'> {
  /** Per-test timeout in milliseconds (60 000 by default). */
  timeoutMs?: number;
}

/**
 * Registers `describe(name)` with one test per pack invariant (`PACK-SCOPE`,
 * `PACK-ACTOR`...), certifying the presence pack (or `createPack`) on stores
 * from `create`.
 */
export const definePresencePackTests = <Store extends PresenceStore>(name: string, options: PresencePackTestOptions<Store> & TestRunner): void =>
  defineInvariantTests(name, packInvariants, options, (rest, id) => certifyPresencePack<Store>({ ...rest, only: [id] }));
