/**
 * Two builds of the memory store in one process: each filled with the same
 * rows, their renewal (`admit`) and patch (`get`, then `update`) loops and the
 * floor interleaved in the same CPU rounds, so a change to the store is
 * compared under the same load and heap, not across processes seconds apart.
 *
 *   git archive <before> | tar -x -C /tmp/before && (cd /tmp/before && ln -s <repo>/node_modules && npx tsc -p tsconfig.bench.json)
 *   node --expose-gc --max-old-space-size=8000 dist/bench/store-ab.js /tmp/before 1000000 15
 *
 * Each build encodes ids with its own `presenceRowId` (its last-encoding
 * reuse is per module). Prints CPU µs per call and the paired ratios.
 *
 * @module
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PresenceStore } from '../src/store.js';
import type { PresenceIdentity } from '../src/row.js';
import { cpuRounds, medianUs, pairedRatio, type Op } from './cpu-rounds.js';
import { channelOf, picker, scopeOf, stateOf, TTL_MS } from './fixtures.js';
import { floorLoop } from './scenarios.js';

const [otherDir = '', rowsText = '1000000', roundsText = '15'] = process.argv.slice(2);
if (otherDir === '') throw new Error('usage: store-ab.js <other build dir> [rows] [rounds]');
const rows = Number(rowsText);

/** What the comparison needs of one build. */
interface Build {
  createMemoryPresenceStore: () => PresenceStore;
  presenceRowId: (identity: PresenceIdentity) => string;
}

const load = async (dir: string): Promise<Build> => {
  const at = (path: string): string => pathToFileURL(resolve(dir, path)).href;
  const memory = (await import(at('dist/src/stores/memory.js'))) as Pick<Build, 'createMemoryPresenceStore'>;
  const row = (await import(at('dist/src/row.js'))) as Pick<Build, 'presenceRowId'>;
  return { ...memory, ...row };
};

const identityOf = (i: number): PresenceIdentity => ({ scope: scopeOf(i), channel: channelOf(i), actorId: `user-${i}`, sessionId: '' });
let now = 1_000_000;

/** The two loops of one build, over a store filled like the bench's (heartbeats spread over 15 s). */
const loopsOf = ({ createMemoryPresenceStore, presenceRowId }: Build): [Op, Op] => {
  const store = createMemoryPresenceStore();
  for (let i = 0; i < rows; i++) {
    const identity = identityOf(i);
    const heartbeatAt = now - (i % 15_000);
    void store.upsert({ id: presenceRowId(identity), ...identity, state: stateOf(i), heartbeatAt, expiresAt: heartbeatAt + TTL_MS });
  }
  const limits = { maxMembers: Infinity, maxSessionsPerActor: Infinity };
  const renewals = picker(rows, 1);
  const patches = picker(rows, 2);
  const renew: Op = (k) => {
    const identity = identityOf(renewals());
    if (k % 100 === 0) now++;
    return store.admit({ id: presenceRowId(identity), ...identity, state: stateOf(k), heartbeatAt: now, expiresAt: now + TTL_MS }, limits);
  };
  const patch: Op = (k) => {
    // The memory store answers synchronously.
    const stored = store.get(presenceRowId(identityOf(patches()))) as Awaited<ReturnType<PresenceStore['get']>> & object;
    return store.update({ ...stored, state: { ...stored.state, cursor: { x: k % 1000, y: 42 } } });
  };
  return [renew, patch];
};

const [thisRenew, thisPatch] = loopsOf(await load(resolve(import.meta.dirname, '../..')));
const [otherRenew, otherPatch] = loopsOf(await load(otherDir));
const result = await cpuRounds(
  { floor: floorLoop(rows), 'this hb': thisRenew, 'other hb': otherRenew, 'this cursor': thisPatch, 'other cursor': otherPatch },
  { rounds: Number(roundsText), roundMs: 120, warmupMs: 300 },
);
console.log(`${rows} rows, load ${result.load.map((value) => value.toFixed(1)).join(' -> ')}; CPU µs per call (medians):`);
for (const name of Object.keys(result.usPerOp)) console.log(`  ${name.padEnd(12)} ${medianUs(result, name).toFixed(2)}`);
for (const side of ['this', 'other']) {
  console.log(`  ${side}: hb ÷ floor ${pairedRatio(result, `${side} hb`, 'floor').toFixed(2)}x, cursor ÷ hb ${pairedRatio(result, `${side} cursor`, `${side} hb`).toFixed(2)}x`);
}
console.log(`  this ÷ other: hb ${pairedRatio(result, 'this hb', 'other hb').toFixed(2)}, cursor ${pairedRatio(result, 'this cursor', 'other cursor').toFixed(2)}`);
