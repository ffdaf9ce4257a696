/**
 * How long views stay wrong after a removal the cluster bus dropped, in
 * injected milliseconds, against the bound docs/SPEC.md states ("Convergence
 * across nodes": one cleanup period after the removal).
 *
 * Three reference engine nodes share a memory store and an in-memory bus that
 * drops each delivery with a given probability (seeded). Every node has a
 * subscriber of the channel and runs its cleanup every `PERIOD_MS`, at its own
 * random phase, as separately started nodes do. A member joins, then either
 * leaves at a random instant (`leave`) or lets its row expire (`expiry`); the
 * clock jumps from one cleanup to the next, so the wrong time is exact: from
 * the instant the row stops being live to the first instant no view on any
 * node holds it. Prints a table; asserts nothing.
 *
 * ```sh
 * npx tsc -p tsconfig.bench.json && node dist/bench/convergence.js   # --runs 400
 * ```
 *
 * @module
 */
import { createPresencePack } from '../src/pack.js';
import type { PresenceRow } from '../src/row.js';
import { createMemoryPresenceStore } from '../src/stores/memory.js';
import { createInMemoryClusterBus, createReferenceEngine, type ClusterBus } from '../spec/engine.js';
import { createManualClock } from '../spec/harness.js';
import { seededRandom } from '../spec/prng.js';
import { int, printTable } from './table.js';

const PERIOD_MS = 15_000;
const TTL_MS = 30_000;
const NODES = 3;
const DROP_RATES = [0, 0.1, 0.5, 1];

const argValue = (name: string): string | undefined => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
};
const RUNS = Number(argValue('--runs') ?? 400);

/** A bus that, once `lossy.on`, loses each delivery with probability `rate`; `settle` waits for the deliveries made. */
const lossyBus = (rate: number, random: () => number) => {
  const inner = createInMemoryClusterBus();
  const applied: Promise<unknown>[] = [];
  const lossy = { on: false };
  const bus: ClusterBus = {
    publish: (message) => inner.publish(message),
    subscribe: (onMessage) =>
      inner.subscribe((message) => {
        if (!lossy.on || random() >= rate) applied.push(Promise.resolve(onMessage(message) as unknown));
      }),
  };
  return { bus, lossy, settle: () => Promise.all(applied.splice(0)) };
};

/** One run: the injected milliseconds some view on some node still held the removed row. */
const wrongFor = async (scenario: 'leave' | 'expiry', rate: number, seed: number): Promise<number> => {
  const random = seededRandom(seed);
  const clock = createManualClock(0);
  const store = createMemoryPresenceStore();
  const { bus, lossy, settle } = lossyBus(rate, random);
  const views: Map<string, PresenceRow>[] = [];
  const engines = [];
  for (let index = 0; index < NODES; index++) {
    const engine = createReferenceEngine({ instanceId: `n${index}`, now: clock.now, sleep: async () => {} });
    engine.registerPack(createPresencePack({ store, now: clock.now, heartbeatTtlSec: TTL_MS / 1000 }));
    await engine.connectCluster(bus);
    const view = new Map<string, PresenceRow>();
    await engine.subscribe<PresenceRow, { channel: string }>({
      collection: 'presence',
      params: { channel: 'room' },
      ctx: { userId: `watcher${index}` },
      onDiff: (diff) => {
        for (const row of diff.removed) view.delete(row.id);
        for (const row of [...diff.added, ...diff.changed]) view.set(row.id, row);
      },
    });
    views.push(view);
    engines.push(engine);
  }
  // The join reaches every node, so the only thing lost is the removal.
  const joiner = engines[0]!;
  await joiner.runMutation('presence:heartbeat', { channel: 'room' }, { userId: 'ada' });
  await settle();
  lossy.on = true;
  const phases = engines.map(() => Math.floor(random() * PERIOD_MS));
  let gone: number;
  if (scenario === 'leave') {
    gone = Math.floor(random() * TTL_MS);
    clock.set(gone);
    await engines[Math.floor(random() * NODES)]!.runMutation('presence:leave', { channel: 'room' }, { userId: 'ada' });
    await settle();
  } else gone = TTL_MS;
  const clean = () => views.every((view) => view.size === 0);
  // Cleanups of every node, in time order, from the removal on.
  let at = gone;
  for (;;) {
    if (clean()) return at - gone;
    const next = engines.map((_, index) => phases[index]! + Math.ceil((at + 1 - phases[index]!) / PERIOD_MS) * PERIOD_MS);
    at = Math.min(...next);
    clock.set(at);
    for (const [index, engine] of engines.entries()) if (next[index] === at) await engine.runSchedule('presence:cleanup');
    await settle();
  }
};

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;

const main = async (): Promise<void> => {
  const rows: string[][] = [];
  for (const scenario of ['leave', 'expiry'] as const) {
    for (const rate of DROP_RATES) {
      const times: number[] = [];
      for (let run = 0; run < RUNS; run++) times.push(await wrongFor(scenario, rate, run * 7919 + 1));
      times.sort((x, y) => x - y);
      const worst = times[times.length - 1]!;
      rows.push([scenario, `${rate * 100} %`, int(RUNS), int(quantile(times, 0.5)), int(quantile(times, 0.99)), int(worst), int(PERIOD_MS), worst <= PERIOD_MS ? 'yes' : 'NO']);
    }
  }
  printTable(
    `Views wrong after a removal the bus dropped (injected ms; ${NODES} nodes, cleanup every ${int(PERIOD_MS)} ms at random phases, TTL ${int(TTL_MS)} ms)`,
    ['removal', 'bus drops', 'runs', 'median', 'p99', 'max', 'bound', 'within'],
    rows,
  );
};

await main();
