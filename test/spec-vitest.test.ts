/** The test bindings: one named test per invariant, each failing on its own invariant only. */
import { describe, expect, it } from 'vitest';
import { storeInvariants } from '../spec/invariants.js';
import { STORE } from '../spec/store/ids.js';
import { definePresenceStoreTests, type SuiteFunction, type TestFunction } from '../spec/tests.js';
import { describePresenceStore } from '../spec/vitest.js';
import { createMemoryPresenceStore } from '../src/stores/memory.js';
import { createSimpleStore } from './stores/simple-store.js';
import { ignoresLww } from './zoo/ignores-lww.js';
import { sweepStrict } from './zoo/sweep-strict.js';

describePresenceStore('the simple store, through the vitest binding', { create: createSimpleStore, numRuns: 30 });
describePresenceStore('the memory store, through the vitest binding', { create: createMemoryPresenceStore, numRuns: 30 });

/** A runner that records what the binding registers. */
const recordingRunner = () => {
  const suites: string[] = [];
  const tests: { name: string; body: () => Promise<void>; timeout: number | undefined }[] = [];
  const suite: SuiteFunction = (name, body) => {
    suites.push(name);
    body();
  };
  const test: TestFunction = (name, body, timeout) => {
    tests.push({ name, body, timeout });
  };
  return { suites, tests, runner: { describe: suite, it: test } };
};

const outcome = (body: () => Promise<void>): Promise<string> =>
  body().then(
    () => 'passed',
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );

describe('definePresenceStoreTests', () => {
  it('registers one test per invariant under the suite name, named "ID: title", with the timeout', () => {
    const { suites, tests, runner } = recordingRunner();
    definePresenceStoreTests('my store', { create: createSimpleStore, timeoutMs: 1234, ...runner });
    expect(suites).toEqual(['my store']);
    expect(tests.map((test) => test.name)).toEqual(storeInvariants.map((invariant) => `${invariant.id}: ${invariant.title}`));
    expect(tests.map((test) => test.name)).toContain('STORE-LWW: last writer wins by heartbeatAt');
    expect(tests.every((test) => test.timeout === 1234)).toBe(true);
  });

  it('fails a broken store on its own invariant only, with counterexample, seed and replay', async () => {
    const { tests, runner } = recordingRunner();
    const only = [STORE.lww, STORE.channel, STORE.sweep, STORE.removeExact, STORE.copies];
    definePresenceStoreTests('ignores LWW', { create: ignoresLww.create, numRuns: 50, seed: 6, only, ...runner });
    const results = await Promise.all(tests.map(async (test) => [test.name.split(':')[0], await outcome(test.body)] as const));
    const failed = results.filter(([, result]) => result !== 'passed');
    expect(failed.map(([id]) => id)).toEqual([STORE.lww]);
    const message = failed[0]?.[1] ?? '';
    expect(message).toMatch(/^STORE-LWW \(MUST\) FAILED/);
    expect(message).toMatch(/counterexample: /);
    expect(message).toMatch(/seed: 6, path: \S+/);
    expect(message).toMatch(/replay: certifyPresenceStore\(\{ create, only: \["STORE-LWW"\], seed: 6, numRuns: 50, path: /);
  });

  it('fails the sweep test, not the channel test, for a sweep bug', async () => {
    const { tests, runner } = recordingRunner();
    definePresenceStoreTests('strict sweep', { create: sweepStrict.create, seed: 2, only: [STORE.channel, STORE.sweep], ...runner });
    expect(await outcome(tests[0]?.body ?? (async () => {}))).toBe('passed');
    expect(await outcome(tests[1]?.body ?? (async () => {}))).toMatch(/^STORE-SWEEP \(MUST\) FAILED/);
  });
});
