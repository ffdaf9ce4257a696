// PACK-CLUSTER must catch each broken pack it owns with margin, not by luck:
// at fixed seeds, within half its default runs (bench/MARGINS.md measures
// seeds 1..200). The aimed sequences of spec/pack/cluster.ts are what make
// the stale-version, empty-tombstone and forget-scope packs fail this early.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_NUM_RUNS } from '../spec/certify.js';
import { certifyPresencePack, packChecks } from '../spec/pack/certify.js';
import { PACK } from '../spec/pack/ids.js';
import { createMemoryPresenceStore } from '../src/index.js';
import { brokenPacks } from './pack-zoo/broken-packs.js';

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const weight = packChecks.find((check) => check.invariant.id === PACK.cluster)?.weight ?? 1;
const half = (DEFAULT_NUM_RUNS * weight) / 2;

describe('PACK-CLUSTER detection margin', () => {
  // Only the first failing run counts: no shrinking.
  beforeAll(() => void fc.configureGlobal({ endOnFailure: true }));
  afterAll(() => void fc.resetConfigureGlobal());

  const owned = brokenPacks.filter((broken) => broken.caughtBy === PACK.cluster);

  it('owns the stale-view packs', () => {
    expect(owned.length).toBeGreaterThanOrEqual(4);
  });

  it.each(owned.map((broken) => [broken.name, broken] as const))(`catches a pack that %s within half its default runs at seeds 1..${SEEDS.length}`, async (_name, broken) => {
    const runs: number[] = [];
    for (const seed of SEEDS) {
      const report = await certifyPresencePack({ create: () => createMemoryPresenceStore(), createPack: broken.createPack, only: [PACK.cluster], seed });
      const [result] = report.results;
      expect(result, `seed ${seed}`).toMatchObject({ id: PACK.cluster, status: 'failed' });
      runs.push(result!.runs);
    }
    expect(Math.max(...runs), `runs to detect at seeds ${SEEDS.join(', ')}: ${runs.join(', ')}`).toBeLessThan(half);
  });
});
