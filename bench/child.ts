/**
 * One measurement in a fresh process, so no size or subject inherits another's
 * heap, garbage or JIT state (shared engine code turns polymorphic once both
 * packs have run through it). `index.ts` spawns it and reads the JSON line it
 * prints last.
 *
 *   node --expose-gc dist/bench/child.js ops <current|baseline|real> <rows> <budgetMs> <capMs> [skip,list]
 *   node --expose-gc dist/bench/child.js memory <current|baseline> <rows>
 *   node --expose-gc dist/bench/child.js ratios <current|real> <rows> <rounds> <roundMs> [pack]
 *
 * @module
 */
import { emptyStateBytes, measureMemory } from './memory.js';
import { loadRealEngine, type RealEngineFactory } from './real-engine.js';
import { runRatios, runSize, type Operation } from './scenarios.js';
import type { SubjectKind } from './fixtures.js';

const [mode, kindText, rowsText, budgetText = '1000', capText = '1000', skipText = ''] = process.argv.slice(2);
const kind = kindText as SubjectKind;
const rows = Number(rowsText);

/** The real engine's factory for a `real` child; it throws (the parent checked) when the engine does not resolve. */
const realFactory = async (): Promise<RealEngineFactory | undefined> => {
  if (kind !== 'real') return undefined;
  const loaded = await loadRealEngine();
  if ('skipped' in loaded) throw new Error(loaded.skipped);
  return loaded.create;
};

if (mode === 'memory') {
  const stateBytes = emptyStateBytes();
  console.log(JSON.stringify(measureMemory(kind as 'current' | 'baseline', rows, stateBytes)));
} else if (mode === 'ops') {
  const capMs = Number(capText);
  const skip = new Set(skipText.split(',').filter((name) => name !== '') as Operation[]);
  const real = await realFactory();
  // Warm-up on 1 000 rows: the JIT settles before the timed size is filled.
  await runSize(kind, 1000, { limits: { budgetMs: 250, warmupMs: 100 }, sweepRuns: 2, capMs, skip: new Set() }, real);
  console.log(JSON.stringify(await runSize(kind, rows, { limits: { budgetMs: Number(budgetText) }, sweepRuns: kind === 'current' ? 5 : 3, capMs, skip }, real)));
} else if (mode === 'ratios') {
  // Here the 4th and 5th arguments are the rounds and the ms per turn, the 6th `pack` for the pack's loops only.
  const options = { rounds: Number(budgetText), roundMs: Number(capText), warmupMs: 300 };
  console.log(JSON.stringify(await runRatios(rows, options, await realFactory(), skipText === 'pack')));
} else {
  throw new Error(`unknown mode ${String(mode)}`);
}
