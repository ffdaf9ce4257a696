/**
 * The runner-agnostic test binding: one named test per store invariant, each
 * running only its own invariant's property, so a failing test names the rule
 * a store breaks. Pass your runner's `describe` and `it` (vitest, bun, jest,
 * node:test); `spec/vitest.ts` passes vitest's.
 *
 * @module
 */
import { certifyPresenceStore, type CertificationReport, type CertifyStoreOptions } from './certify.js';
import type { Invariant } from './invariant.js';
import { certifyPresencePack, packInvariants, type CertifyPackOptions } from './pack/certify.js';
import { storeInvariants } from './invariants.js';
import { formatFailure } from './report.js';

/** A runner's `describe`: registers a group of tests. */
export type SuiteFunction = (name: string, body: () => void) => unknown;

/** A runner's `it`: registers one async test with an optional timeout in milliseconds. */
export type TestFunction = (name: string, body: () => Promise<void>, timeout?: number) => unknown;

/** Options of {@link definePresenceStoreTests}. */
export interface PresenceStoreTestOptions extends Omit<CertifyStoreOptions, 'onProgress' | 'path'> {
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

/** Registers one test per invariant of `catalog`, each certifying only its own invariant with `certify`. */
const defineInvariantTests = <Options extends { only?: readonly string[]; timeoutMs?: number } & TestRunner>(
  name: string,
  catalog: readonly Invariant[],
  options: Options,
  certify: (rest: Omit<Options, keyof TestRunner | 'only' | 'timeoutMs'>, id: string) => Promise<CertificationReport>,
): void => {
  const { describe, it, timeoutMs = 60_000, only, ...rest } = options;
  const invariants = only === undefined ? catalog : catalog.filter((invariant) => only.includes(invariant.id));
  describe(name, () => {
    for (const invariant of invariants) {
      it(
        invariantTestName(invariant),
        async () => {
          const report = await certify(rest, invariant.id);
          const failure = report.results.find((result) => result.status === 'failed');
          if (failure !== undefined) throw new Error(formatFailure(failure, report.numRuns));
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
export const definePresenceStoreTests = (name: string, options: PresenceStoreTestOptions & TestRunner): void =>
  defineInvariantTests(name, storeInvariants, options, (rest, id) => certifyPresenceStore({ ...rest, only: [id] }));

/** Options of {@link definePresencePackTests}. */
export interface PresencePackTestOptions extends Omit<CertifyPackOptions, 'onProgress' | 'path'> {
  /** Per-test timeout in milliseconds (60 000 by default). */
  timeoutMs?: number;
}

/**
 * Registers `describe(name)` with one test per pack invariant (`PACK-SCOPE`,
 * `PACK-ACTOR`...), certifying the presence pack (or `createPack`) on stores
 * from `create`.
 */
export const definePresencePackTests = (name: string, options: PresencePackTestOptions & TestRunner): void =>
  defineInvariantTests(name, packInvariants, options, (rest, id) => certifyPresencePack({ ...rest, only: [id] }));
