/**
 * A focused loop for `node --cpu-prof`: fills the current pack's memory store,
 * then runs one operation through the reference engine for a fixed time.
 *
 *   npx tsc -p tsconfig.bench.json
 *   node --expose-gc dist/bench/profile.js heartbeat 100000 5000 /tmp/heartbeat.cpuprofile
 *   node dist/bench/profile-top.js /tmp/heartbeat.cpuprofile
 *
 * Arguments: operation (`heartbeat`, `cursor`, `hydrate` through the engine;
 * `pack-heartbeat`, `pack-cursor`, `pack-typing` on the pack's path alone;
 * `store-heartbeat` on the store alone), rows, milliseconds,
 * and optionally a `.cpuprofile` path: the profiler then records the timed
 * loop only (not the fill), through `node:inspector`.
 *
 * @module
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createCurrentSubject } from './fixtures.js';
import { measure } from './measure.js';
import { cursorLoop, heartbeatLoop, hydrateLoop, storeHeartbeatLoop, typingLoop } from './scenarios.js';

const [operation = 'heartbeat', rowsText = '100000', msText = '5000', output] = process.argv.slice(2);
const rows = Number(rowsText);
const subject = createCurrentSubject();
subject.fill(rows);
const pack = subject.packOnly!;
// The `pack-` loops run the pack's path alone (no engine), as the bench's ratios do.
const loops = {
  heartbeat: heartbeatLoop,
  cursor: cursorLoop,
  hydrate: hydrateLoop,
  'pack-heartbeat': (on: typeof subject, n: number) => heartbeatLoop(on, n, pack),
  'pack-cursor': (on: typeof subject, n: number) => cursorLoop(on, n, pack),
  'pack-typing': (on: typeof subject, n: number) => typingLoop(on, n, pack),
  'store-heartbeat': (on: typeof subject, n: number) => {
    const op = storeHeartbeatLoop(on, n);
    return async (k: number) => op(k);
  },
} as const;
const loop = loops[operation as keyof typeof loops];
if (loop === undefined) throw new Error(`unknown operation ${operation}`);
// Warm the loop up and collect the fill's garbage before the profiler starts.
await measure(loop(subject, rows), { budgetMs: 500, maxOps: Number.MAX_SAFE_INTEGER });
const session = new Session();
if (output !== undefined) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}
const rate = await measure(loop(subject, rows), { budgetMs: Number(msText), maxOps: Number.MAX_SAFE_INTEGER, collectFirst: false });
if (output !== undefined) {
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(output, JSON.stringify(profile));
  session.disconnect();
}
console.log(`${operation} at ${rows} rows: ${Math.round(rate.perSec)}/s wall, ${Math.round(rate.perCpuSec)}/s cpu, ${rate.usPerOp.toFixed(2)} µs/call`);
