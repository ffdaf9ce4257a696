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
    expect(message).toMatch(/replay: add \{ only: \["STORE-LWW"\], seed: 6, numRuns: 50, path: "[^"]+" \} to this describe call's options$/m);
  });

  it('replays a failure inside the runner from the options its message prints', async () => {
    const first = recordingRunner();
    definePresenceStoreTests('ignores LWW', { create: ignoresLww.create, numRuns: 50, seed: 3, only: [STORE.lww], ...first.runner });
    const message = await outcome(first.tests[0]!.body);
    const printed = /replay: add \{ only: \["STORE-LWW"\], seed: 3, numRuns: 50, path: ("[^"]+") \}/.exec(message);
    expect(printed).not.toBeNull();
    const replay = recordingRunner();
    const path = JSON.parse(printed![1]!) as string;
    definePresenceStoreTests('ignores LWW', { create: ignoresLww.create, numRuns: 50, seed: 3, path, only: [STORE.lww], ...replay.runner });
    const replayed = await outcome(replay.tests[0]!.body);
    const counterexample = (text: string) => /counterexample: (.*)$/m.exec(text)?.[1];
    expect(counterexample(replayed)).toBeDefined();
    expect(counterexample(replayed)).toBe(counterexample(message));
  });

  it('refuses a path without exactly one invariant in only, or without its seed', () => {
    const { runner } = recordingRunner();
    expect(() => definePresenceStoreTests('s', { create: createSimpleStore, seed: 1, path: '0:1', ...runner })).toThrow(/a path replays one counterexample: pass it with its seed and numRuns, and only: \[the one invariant id/);
    expect(() => definePresenceStoreTests('s', { create: createSimpleStore, only: [STORE.lww], path: '0:1', ...runner })).toThrow(/a path replays one counterexample/);
  });

  it('types destroy with the store type create returns (no cast to reach close())', async () => {
    const closed: number[] = [];
    const { tests, runner } = recordingRunner();
    let made = 0;
    const create = () => Object.assign(createSimpleStore(), { serial: made++, close: function (this: { serial: number }) { closed.push(this.serial); } });
    definePresenceStoreTests('closable', { create, destroy: (store) => store.close(), numRuns: 3, only: [STORE.rows], ...runner });
    expect(await outcome(tests[0]!.body)).toBe('passed');
    expect(closed).toEqual(Array.from({ length: made }, (_, index) => index));
  });

  it('fails the sweep test, not the channel test, for a sweep bug', async () => {
    const { tests, runner } = recordingRunner();
    definePresenceStoreTests('strict sweep', { create: sweepStrict.create, seed: 2, only: [STORE.channel, STORE.sweep], ...runner });
    expect(await outcome(tests[0]?.body ?? (async () => {}))).toBe('passed');
    expect(await outcome(tests[1]?.body ?? (async () => {}))).toMatch(/^STORE-SWEEP \(MUST\) FAILED/);
  });
});
