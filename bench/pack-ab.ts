/**
 * Two builds of the whole pack in one process: each build's bench subject
 * (its pack on its memory store, filled with the same rows), their store
 * renewal and their pack-alone heartbeat, cursor and typing loops, and the
 * floor, interleaved in the same CPU rounds, so a change anywhere on the
 * pack's path is compared under the same load and heap instead of across
 * processes seconds apart (where the floor alone moves from 4.8 to 7.9 µs).
 *
 *   git archive <before> | tar -x -C /tmp/before && (cd /tmp/before && ln -s <repo>/node_modules && npx tsc -p tsconfig.bench.json)
 *   node --expose-gc --max-old-space-size=8000 dist/bench/pack-ab.js /tmp/before 1000000 16 [fresh|cursored]
 *
 * The bench's rows have no cursor, so its cursor loop mostly adds the key
 * (`fresh`, the default); `cursored` gives every row a cursor first.
 *
 * Both heaps hold their rows at once, so every loop here pays for twice the
 * live heap in GC: compare the two builds with each other, and take the
 * absolute ratios from `npm run bench -- --pack-ratios`.
 *
 * @module
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cpuRounds, medianUs, pairedRatio, type Op } from './cpu-rounds.js';
import type { PresenceRow } from '../src/row.js';
import { collect } from './measure.js';

const [otherDir = '', rowsText = '1000000', roundsText = '16', shape = 'fresh'] = process.argv.slice(2);
if (otherDir === '' || (shape !== 'fresh' && shape !== 'cursored')) throw new Error('usage: pack-ab.js <other build dir> [rows] [rounds] [fresh|cursored]');
const rows = Number(rowsText);

/** The loops of one build, named `<side> <loop>`; the floor comes from this build. */
const loopsOf = async (dir: string, side: string): Promise<Record<string, Op>> => {
  const at = (path: string): string => pathToFileURL(resolve(dir, path)).href;
  const fixtures = (await import(at('dist/bench/fixtures.js'))) as typeof import('./fixtures.js');
  const scenarios = (await import(at('dist/bench/scenarios.js'))) as typeof import('./scenarios.js');
  const subject = fixtures.createCurrentSubject();
  subject.fill(rows);
  // `cursored`: every row has a cursor before the loops start, so a cursor patch
  // replaces one (the steady state) instead of adding the key (a row's first patch).
  if (shape === 'cursored') {
    for (const row of (await subject.store.rows()) as PresenceRow[]) await subject.store.update({ ...row, state: { ...row.state, cursor: { x: 0, y: 42 } } });
  }
  const pack = subject.packOnly!;
  return {
    [`${side} store heartbeat`]: scenarios.storeHeartbeatLoop(subject, rows),
    [`${side} pack heartbeat`]: scenarios.heartbeatLoop(subject, rows, pack),
    [`${side} pack cursor`]: scenarios.cursorLoop(subject, rows, pack),
    [`${side} pack typing`]: scenarios.typingLoop(subject, rows, pack),
    ...(side === 'this' ? { floor: scenarios.floorLoop(rows) } : {}),
  };
};

const loops = { ...(await loopsOf(resolve(import.meta.dirname, '../..'), 'this')), ...(await loopsOf(otherDir, 'other')) };
collect();
const result = await cpuRounds(loops, { rounds: Number(roundsText), roundMs: 120, warmupMs: 300 });
console.log(`${rows} ${shape} rows, load ${result.load.map((value) => value.toFixed(1)).join(' -> ')}; CPU µs per call (medians):`);
for (const name of Object.keys(loops)) console.log(`  ${name.padEnd(20)} ${medianUs(result, name).toFixed(2)}`);
for (const side of ['this', 'other']) {
  const ratioOf = (top: string, bottom: string): string => pairedRatio(result, `${side} ${top}`, bottom === 'floor' ? 'floor' : `${side} ${bottom}`).toFixed(2);
  console.log(
    `  ${side}: pack heartbeat ÷ floor ${ratioOf('pack heartbeat', 'floor')}x, store heartbeat ÷ floor ${ratioOf('store heartbeat', 'floor')}x, cursor ÷ heartbeat ${ratioOf('pack cursor', 'pack heartbeat')}x, typing ÷ heartbeat ${ratioOf('pack typing', 'pack heartbeat')}x`,
  );
}
const versus = (loop: string): string => pairedRatio(result, `this ${loop}`, `other ${loop}`).toFixed(2);
console.log(`  this ÷ other: store heartbeat ${versus('store heartbeat')}, pack heartbeat ${versus('pack heartbeat')}, cursor ${versus('pack cursor')}, typing ${versus('pack typing')}`);
