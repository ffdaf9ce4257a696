/**
 * A focused loop for `node --cpu-prof`: fills the current pack's memory store,
 * then runs one operation through the reference engine for a fixed time.
 *
 *   npx tsc -p tsconfig.bench.json
 *   node --expose-gc dist/bench/profile.js heartbeat 100000 5000 /tmp/heartbeat.cpuprofile
 *   node dist/bench/profile-top.js /tmp/heartbeat.cpuprofile
 *
 * Arguments: operation (`heartbeat`, `cursor`, `hydrate`), rows, milliseconds,
 * and optionally a `.cpuprofile` path: the profiler then records the timed
 * loop only (not the fill), through `node:inspector`.
 *
 * @module
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createCurrentSubject } from './fixtures.js';
import { measure } from './measure.js';
import { cursorLoop, heartbeatLoop, hydrateLoop } from './scenarios.js';

const [operation = 'heartbeat', rowsText = '100000', msText = '5000', output] = process.argv.slice(2);
const rows = Number(rowsText);
const subject = createCurrentSubject();
subject.fill(rows);
const loops = { heartbeat: heartbeatLoop, cursor: cursorLoop, hydrate: hydrateLoop } as const;
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
