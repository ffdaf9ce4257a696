/**
 * The kit proves itself: at the default run count it rejects every broken
 * store in the zoo under the invariant that names its bug, and accepts the
 * clean stores. Each specimen is certified on its own invariant only: every
 * invariant is an independent property with the same seed over fresh stores,
 * so its verdict is the one a full certification reports, at a fraction of
 * the time.
 */
import { describe, expect, it } from 'vitest';
import { certifyPresenceStore } from '../spec/certify.js';
import { formatReport } from '../spec/report.js';
import { createMemoryPresenceStore } from '../src/stores/memory.js';
import { createSimpleStore } from './stores/simple-store.js';
import { zoo } from './zoo/index.js';

describe('the spec kit rejects every store in the zoo', () => {
  it('holds at least twelve specimens with distinct names', () => {
    expect(zoo.length).toBeGreaterThanOrEqual(12);
    expect(new Set(zoo.map((specimen) => specimen.name)).size).toBe(zoo.length);
  });

  for (const specimen of zoo) {
    it(`${specimen.name} (${specimen.bug}) fails ${specimen.caughtBy}`, async () => {
      const report = await certifyPresenceStore({ create: specimen.create, only: [specimen.caughtBy] });
      const caught = report.results.find((result) => result.id === specimen.caughtBy);
      expect(report.passed, formatReport(report)).toBe(false);
      expect(caught?.status, formatReport(report)).toBe('failed');
      expect(caught?.error).toContain(`${specimen.caughtBy} violated`);
      expect(caught?.counterexample).toBeTruthy();
      expect(caught?.path).toMatch(/^\d+(:\d+)*(@[\w+/:]+)?$/);
      expect(caught?.seed).toBe(report.seed);
    });
  }
});

describe('the spec kit accepts clean stores', () => {
  const clean = [
    ['the simple JSON-text store', createSimpleStore],
    ['the memory store', createMemoryPresenceStore],
  ] as const;
  for (const [name, create] of clean) {
    it(`certifies ${name} on every invariant at the default run count`, async () => {
      const report = await certifyPresenceStore({ create });
      expect(report.passed, formatReport(report)).toBe(true);
      expect(report.results.every((result) => result.status === 'passed' && result.runs > 0)).toBe(true);
    });
  }
});
