/** certifyPresenceStore and runCertification: report shape, scaling, selection, replay, and what counts as a pass. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { certifyPresenceStore, runCertification, type CertifyProgress } from '../spec/certify.js';
import { withFaults } from '../spec/faults.js';
import type { InvariantCheck } from '../spec/invariant.js';
import { storeChecks, storeInvariants } from '../spec/invariants.js';
import { runProperty } from '../spec/run-property.js';
import { STORE } from '../spec/store/ids.js';
import type { PresenceStore } from '../src/store.js';
import { createMemoryPresenceStore } from '../src/stores/memory.js';
import { createSimpleStore } from './stores/simple-store.js';
import { ignoresLww } from './zoo/ignores-lww.js';

describe('certifyPresenceStore', () => {
  it('reports every store invariant in catalog order, with its level, title and the seed', async () => {
    const report = await certifyPresenceStore({ create: createSimpleStore, numRuns: 4, seed: 11 });
    expect(report.passed).toBe(true);
    expect(report.seed).toBe(11);
    expect(report.numRuns).toBe(4);
    expect(report.results.map((result) => result.id)).toEqual(storeInvariants.map((invariant) => invariant.id));
    for (const [index, result] of report.results.entries()) {
      expect(result).toMatchObject({ level: storeInvariants[index]?.level, title: storeInvariants[index]?.title, status: 'passed', seed: 11 });
    }
  });

  it('scales every invariant’s runs linearly with numRuns', async () => {
    const small = await certifyPresenceStore({ create: createSimpleStore, numRuns: 6, seed: 1 });
    const large = await certifyPresenceStore({ create: createSimpleStore, numRuns: 18, seed: 1 });
    for (const [index, result] of small.results.entries()) {
      const weight = storeChecks[index]?.weight ?? 1;
      expect(result.runs).toBe(Math.round(6 * weight));
      expect(large.results[index]?.runs).toBe(3 * result.runs);
    }
  });

  it('checks only the invariants named in only, and rejects unknown ids', async () => {
    const report = await certifyPresenceStore({ create: createSimpleStore, numRuns: 3, only: [STORE.sweep, STORE.lww] });
    expect(report.results.map((result) => result.id)).toEqual([STORE.lww, STORE.sweep]);
    await expect(certifyPresenceStore({ create: createSimpleStore, only: ['STORE-NOPE'] })).rejects.toThrow(/STORE-NOPE/);
  });

  it('rejects a path that does not name exactly one invariant, and bad numRuns or seed', async () => {
    await expect(certifyPresenceStore({ create: createSimpleStore, path: '0:1' })).rejects.toThrow(/only/);
    await expect(certifyPresenceStore({ create: createSimpleStore, numRuns: 0 })).rejects.toThrow(RangeError);
    await expect(certifyPresenceStore({ create: createSimpleStore, numRuns: 2.5 })).rejects.toThrow(RangeError);
    await expect(certifyPresenceStore({ create: createSimpleStore, seed: 0.5 })).rejects.toThrow(RangeError);
  });

  it('replays a failure exactly from its seed, numRuns and path', async () => {
    const first = await certifyPresenceStore({ create: ignoresLww.create, only: [STORE.lww], seed: 5, numRuns: 100 });
    const failure = first.results[0];
    expect(failure?.status).toBe('failed');
    expect(failure?.path).toBeDefined();
    const replay = await certifyPresenceStore({ create: ignoresLww.create, only: [STORE.lww], seed: 5, numRuns: 100, path: failure?.path ?? '' });
    expect(replay.results[0]).toMatchObject({
      status: 'failed',
      counterexample: failure?.counterexample,
      error: failure?.error,
      runs: 1,
    });
  });

  it('prints a counterexample that reads like store calls', async () => {
    const report = await certifyPresenceStore({ create: ignoresLww.create, only: [STORE.lww], seed: 3 });
    const counterexample = report.results[0]?.counterexample ?? '';
    expect(counterexample).toMatch(/upsert\(id=\[.*\], heartbeatAt=\d+, expiresAt=\d+, state=/);
    expect(report.results[0]?.error).toMatch(/^STORE-LWW violated: (upsert|update)\(/);
  });

  it('announces each invariant as it starts and ends, in order', async () => {
    const events: CertifyProgress[] = [];
    await certifyPresenceStore({ create: createSimpleStore, numRuns: 2, only: [STORE.rows, STORE.ids], onProgress: (event) => events.push(event) });
    expect(events.map((event) => `${event.phase} ${event.invariant.id} ${event.index}/${event.total}`)).toEqual([
      `start ${STORE.rows} 0/2`,
      `done ${STORE.rows} 0/2`,
      `start ${STORE.ids} 1/2`,
      `done ${STORE.ids} 1/2`,
    ]);
  });

  it('accepts an async factory and async store methods', async () => {
    const report = await certifyPresenceStore({ create: async () => createSimpleStore(), numRuns: 5, seed: 4 });
    expect(report.passed).toBe(true);
  });

  it('reports a store that throws as failing every invariant, without throwing itself', async () => {
    const report = await certifyPresenceStore({
      create: () => withFaults(createSimpleStore(), { failRate: 1, seed: 1 }),
      numRuns: 5,
      seed: 4,
    });
    expect(report.passed).toBe(false);
    const ofLoans: string[] = [STORE.lend, STORE.lendBytes];
    for (const result of report.results) {
      // Without lend there is no call STORE-LEND and STORE-LOAN-BYTES make: only the others can fail.
      if (ofLoans.includes(result.id)) continue;
      expect(result.status).toBe('failed');
      expect(result.error).toMatch(/Injected fault/);
    }
    for (const id of ofLoans) expect(report.results.find((result) => result.id === id)?.status).toBe('passed');
    // A store that lends, and throws on every call, fails them too.
    const lending = await certifyPresenceStore({
      create: () => withFaults(createMemoryPresenceStore(), { failRate: 1, seed: 1 }),
      numRuns: 5,
      seed: 4,
      only: ofLoans,
    });
    for (const id of ofLoans) {
      expect(lending.results.find((result) => result.id === id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/Injected fault/) as unknown });
    }
  });

  it('fails STORE-LEND and STORE-LOAN-BYTES for a factory whose stores disagree about lend', async () => {
    for (const id of [STORE.lend, STORE.lendBytes]) {
      let made = 0;
      const report = await certifyPresenceStore({
        create: () => {
          const store = createMemoryPresenceStore();
          made += 1;
          if (made > 1) return store;
          const { lend: _lend, ...withoutLend } = store;
          return withoutLend;
        },
        numRuns: 5,
        seed: 4,
        only: [id],
      });
      expect(report.results[0]).toMatchObject({ id, status: 'failed', error: expect.stringContaining(`${id} violated`) as unknown });
    }
  });

  it('destroys every store it creates, whether the run passes or fails', async () => {
    for (const create of [createSimpleStore, ignoresLww.create]) {
      const live = new Set<PresenceStore>();
      await certifyPresenceStore({
        create: () => {
          const store = create();
          live.add(store);
          return store;
        },
        destroy: (store) => {
          expect(live.delete(store)).toBe(true);
        },
        numRuns: 10,
        seed: 2,
        only: [STORE.lww, STORE.instances, STORE.raceUpsertUpsert],
      });
      expect(live.size).toBe(0);
    }
  });
});

describe('runCertification', () => {
  const check = (level: 'MUST' | 'SHOULD', body: () => void): InvariantCheck<null> => ({
    invariant: { id: `TEST-${level}`, level, title: 'a test rule', description: 'for the runner' },
    run: (_subject, settings) => runProperty(fc.asyncProperty(fc.nat(), async () => body()), settings),
  });

  it('never counts a property that executed zero runs as passed', async () => {
    const report = await runCertification([check('MUST', () => fc.pre(false))], null, { numRuns: 5, seed: 1 });
    expect(report.passed).toBe(false);
    expect(report.results[0]).toMatchObject({ status: 'failed', runs: 0 });
    expect(report.results[0]?.error).toMatch(/zero runs/);
  });

  it('fails the certification on a MUST failure but only reports a SHOULD failure', async () => {
    const boom = () => {
      throw new Error('boom');
    };
    const should = await runCertification([check('SHOULD', boom)], null, { numRuns: 5, seed: 1 });
    expect(should.passed).toBe(true);
    expect(should.results[0]).toMatchObject({ status: 'failed', error: 'boom' });
    const must = await runCertification([check('MUST', boom)], null, { numRuns: 5, seed: 1 });
    expect(must.passed).toBe(false);
  });
});
