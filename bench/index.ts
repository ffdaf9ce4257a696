/**
 * `npm run bench`: the current pack and the 0.3 baseline side by side, through
 * the reference engine with in-process stores, at several row counts; the
 * same pack on the real engine when `@absolutejs/sync` resolves; each
 * engine's own cost per commit; CPU-time ratios against the memory floor
 * (interleaved rounds); then heap bytes per row. Prints Markdown tables and
 * a target check; asserts nothing (no timed assertions anywhere in the test
 * suite).
 *
 * Flags: `--sizes 1000,10000` (row counts), `--budget-ms 1000` (timing per
 * loop), `--cap-ms 1000` (skip a baseline operation predicted slower than
 * this per call), `--ratio-rows 1000000`, `--rounds 15`, `--round-ms 150`
 * (the CPU-time rounds), `--no-baseline`, `--no-memory`, `--no-ratios`,
 * `--json` (raw results last), `--pack-ratios` (only the memory store's
 * targets: the floor, store and pack rounds at `--ratio-rows`, about a minute).
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { medianUs, pairedRatio, type RoundsResult } from './cpu-rounds.js';
import type { MemoryResult } from './memory.js';
import { canCollect, type Rate } from './measure.js';
import { loadRealEngine } from './real-engine.js';
import { overCap, sweepMedian, SWEEP_ROWS, type SizeResult } from './scenarios.js';
import { int, num, printTable, ratio } from './table.js';

const argValue = (name: string): string | undefined => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
};
const flag = (name: string): boolean => process.argv.includes(name);

const sizes = (argValue('--sizes') ?? '1000,10000,50000,100000,1000000').split(',').map(Number);
const budgetMs = Number(argValue('--budget-ms') ?? 1000);
const capMs = Number(argValue('--cap-ms') ?? 1000);
const withBaseline = !flag('--no-baseline');
const withMemory = !flag('--no-memory');
const withRatios = !flag('--no-ratios');
const ratioRows = Number(argValue('--ratio-rows') ?? 1_000_000);
const rounds = Number(argValue('--rounds') ?? 15);
const roundMs = Number(argValue('--round-ms') ?? 150);

/** The 1, 5 and 15-minute load averages, as printed. */
const load = (): string => loadavg().map((value) => num(value, 2)).join(' / ');

const childScript = fileURLToPath(new URL('./child.js', import.meta.url));

/** Runs one measurement in a fresh `node --expose-gc` and parses the JSON line it prints last. */
const inChild = <Result>(args: readonly string[]): Result => {
  const child = spawnSync(process.execPath, ['--expose-gc', childScript, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
  if (child.status !== 0) throw new Error(`bench child ${args.join(' ')} exited with ${String(child.status ?? child.signal)}`);
  const lines = child.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as Result;
};

/** A mutation table's shared cells: rows, current /s, µs/call, baseline /s (or `skipped`), current ÷ baseline. */
const rateCells = (op: 'heartbeat' | 'cursor', result: SizeResult, base: SizeResult | undefined): string[] => {
  const mine = result[op]!;
  const theirs = base?.[op];
  return [int(result.rows), int(mine.perSec), num(mine.usPerOp), theirs ? int(theirs.perSec) : 'skipped', ratio(theirs ? mine.perSec / theirs.perSec : undefined)];
};

/** The CPU-time table of one ratios child (and, on the real engine, the two engines side by side); a pack-only child has no engine row. */
const printRatios = (engine: string, result: RoundsResult): void => {
  const cell = (name: string): string => (result.usPerOp[name] ? num(medianUs(result, name), 2) : 'n/a');
  const paired = (top: string, bottom: string): string => (result.usPerOp[top] && result.usPerOp[bottom] ? ratio(pairedRatio(result, top, bottom)) : 'n/a');
  const paths: [string, string][] = [
    ['store alone (memory store calls, no pack)', 'store'],
    ['pack alone (handler + guarded store, no engine)', 'pack'],
    [`through the ${engine} engine`, 'engine'],
  ];
  printTable(
    `CPU µs per call at ${int(ratioRows)} rows, ${engine} engine process: medians of ${rounds} interleaved rounds of ${roundMs} ms (load average ${num(result.load[0], 2)} → ${num(result.load[1], 2)})`,
    ['path', 'heartbeat', 'cursor', 'typing', 'floor', 'cursor ÷ heartbeat', 'typing ÷ heartbeat', 'heartbeat ÷ floor'],
    paths
      .filter(([, prefix]) => result.usPerOp[`${prefix} heartbeat`] !== undefined)
      .map(([label, prefix]) => [
        label,
        cell(`${prefix} heartbeat`),
        cell(`${prefix} cursor`),
        cell(`${prefix} typing`),
        cell('floor'),
        paired(`${prefix} cursor`, `${prefix} heartbeat`),
        paired(`${prefix} typing`, `${prefix} heartbeat`),
        paired(`${prefix} heartbeat`, 'floor'),
      ]),
  );
  if (!result.usPerOp['engine commit']) return;
  console.log(`\n${engine} engine, same rounds: a trivial commit costs ${cell('engine commit')} CPU µs${result.usPerOp['change log commit'] ? `, its change log's commit alone ${cell('change log commit')} µs` : ''}; a hydrate of 100 members ${cell('engine hydrate')} µs.`);
  if (result.usPerOp['reference heartbeat']) {
    printTable(
      `The two engines in the same rounds (one process, one store, two packs over it; CPU µs per call at ${int(ratioRows)} rows)`,
      ['operation', 'reference engine', 'real engine', 'real ÷ reference'],
      [
        ['heartbeat', 'heartbeat'],
        ['cursor', 'cursor'],
        ['hydrate of 100 members', 'hydrate'],
        ['trivial commit (the engine alone)', 'commit'],
      ].map(([label, op]) => [label!, cell(`reference ${op}`), cell(`engine ${op}`), paired(`engine ${op}`, `reference ${op}`)]),
    );
  }
};

/** A target check: what, whether it is met (`undefined`: not measured), the measured value. */
type Check = [string, boolean | undefined, string];

/** The memory store's targets, from the reference engine's CPU-time rounds. */
const memoryTargets = (reference: RoundsResult): Check[] => {
  const checks: Check[] = [];
  const at = `at ${int(ratioRows)} rows, CPU time, pack alone`;
  for (const patch of ['cursor', 'typing']) {
    const value = pairedRatio(reference, `pack ${patch}`, 'pack heartbeat');
    checks.push([`${patch} patch costs ≤ a heartbeat (${at})`, value <= 1, `${ratio(value)} of a heartbeat`]);
  }
  const floor = pairedRatio(reference, 'pack heartbeat', 'floor');
  checks.push([`heartbeat ≤ 2x the Map lookup-and-write floor (${at})`, floor <= 2, `${ratio(floor)} the floor`]);
  const store = pairedRatio(reference, 'store heartbeat', 'floor');
  checks.push([`(the store alone) heartbeat ≤ 2x the floor`, store <= 2, `${ratio(store)} the floor`]);
  if (reference.usPerOp['engine cursor']) {
    const engine = pairedRatio(reference, 'engine cursor', 'engine heartbeat');
    checks.push(['(through the reference engine, which reads the row again for its rule) cursor ≤ heartbeat', engine <= 1, `${ratio(engine)} of a heartbeat`]);
  }
  return checks;
};

/** The target table. */
const printTargets = (checks: readonly Check[]): void =>
  printTable('Targets', ['target', 'met', 'measured'], checks.map(([what, met, value]) => [what, met === true ? 'yes' : 'NO', value]));

/**
 * `--pack-ratios`: only the memory targets' rounds (the floor, the store
 * alone and the pack alone at `--ratio-rows`, reference engine), in a
 * minute instead of the whole bench.
 */
const packRatiosOnly = (): void => {
  console.log(`load average at start (1 / 5 / 15 min): ${load()}`);
  const result = inChild<RoundsResult>(['ratios', 'current', String(ratioRows), String(rounds), String(roundMs), 'pack']);
  printRatios('reference', result);
  printTargets(memoryTargets(result));
};

const main = async (): Promise<void> => {
  const started = process.hrtime.bigint();
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  console.log(`# @absolutejs/sync-pack-presence bench`);
  console.log(`\nnode ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} x ${cpu}, ${int(totalmem() / 2 ** 20)} MiB RAM`);
  console.log(`one process per subject and size (1 000-row warm-up first), timing budget ${budgetMs} ms per loop after a 150 ms warm-up, sequential awaited calls, cap ${capMs} ms per call`);
  if (!canCollect()) console.log('(no --expose-gc: GC between loops and the memory table are skipped)');
  console.log(`load average at start (1 / 5 / 15 min): ${load()}`);
  const realEngine = await loadRealEngine();
  if ('skipped' in realEngine) {
    console.log(`\n!!! REAL ENGINE TABLES SKIPPED: ${realEngine.skipped}.`);
    console.log('!!! Every engine figure below is through the REFERENCE engine (spec/engine.ts), not @absolutejs/sync; install it to get both side by side.');
  } else console.log('\n@absolutejs/sync resolves: its engine runs the heartbeat, cursor and hydrate tables too ("real engine" columns).');
  const withReal = !('skipped' in realEngine);

  const current: SizeResult[] = [];
  const baseline: (SizeResult | undefined)[] = [];
  const real: SizeResult[] = [];
  for (const rows of sizes) {
    process.stderr.write(`current  ${int(rows)} rows...\n`);
    current.push(inChild<SizeResult>(['ops', 'current', String(rows), String(budgetMs), String(capMs)]));
    if (withBaseline) {
      const skip = overCap(baseline[baseline.length - 1], rows, capMs);
      process.stderr.write(`baseline ${int(rows)} rows${skip.length > 0 ? ` (over the cap, skipped: ${skip.join(', ')})` : ''}...\n`);
      baseline.push(inChild<SizeResult>(['ops', 'baseline', String(rows), String(budgetMs), String(capMs), skip.join(',')]));
    } else baseline.push(undefined);
    if (withReal) {
      process.stderr.write(`real engine ${int(rows)} rows...\n`);
      real.push(inChild<SizeResult>(['ops', 'real', String(rows), String(budgetMs), String(capMs)]));
    }
  }
  const ratios: { engine: string; result: RoundsResult }[] = [];
  if (withRatios) {
    process.stderr.write(`CPU-time rounds at ${int(ratioRows)} rows (reference engine)...\n`);
    ratios.push({ engine: 'reference', result: inChild<RoundsResult>(['ratios', 'current', String(ratioRows), String(rounds), String(roundMs)]) });
    if (withReal) {
      process.stderr.write(`CPU-time rounds at ${int(ratioRows)} rows (real engine)...\n`);
      ratios.push({ engine: 'real', result: inChild<RoundsResult>(['ratios', 'real', String(ratioRows), String(rounds), String(roundMs)]) });
    }
  }

  const small = current[0]!;
  printTable(
    'Heartbeat (runMutation presence:heartbeat, renewing a random row with a small state)',
    ['rows', 'current /s', 'µs/call', 'baseline 0.3 /s', 'current ÷ baseline', `current vs ${int(small.rows)} rows`],
    current.map((result, index) => [...rateCells('heartbeat', result, baseline[index]), ratio(result.heartbeat!.perSec / small.heartbeat!.perSec)]),
  );
  const extra = (rate: Rate | undefined, base: Rate | undefined): string => (rate && base ? num(rate.usPerOp - base.usPerOp) : 'n/a');
  printTable(
    'Memory floor (a bare Map from the same ids, random lookup-and-write with the heartbeat picks; no store, no engine)',
    ['rows', 'floor µs/lookup', `floor extra µs vs ${int(small.rows)} rows`, `heartbeat extra µs vs ${int(small.rows)} rows`],
    current.map((result) => [int(result.rows), result.floor ? num(result.floor.usPerOp) : 'n/a', extra(result.floor, small.floor), extra(result.heartbeat, small.heartbeat)]),
  );
  printTable(
    'Cursor patch (runMutation presence:cursor on a random live row)',
    ['rows', 'current /s', 'µs/call', 'baseline 0.3 /s', 'current ÷ baseline'],
    current.map((result, index) => rateCells('cursor', result, baseline[index])),
  );
  printTable(
    'The pack alone (mutation handler + the pack\'s writer + guarded store, no engine), against the floor',
    ['rows', 'heartbeat µs', 'cursor µs', 'floor µs', 'cursor ÷ heartbeat', 'heartbeat ÷ floor'],
    current.map((result) => {
      const { packHeartbeat: beat, packCursor: patch, floor } = result;
      return [
        int(result.rows),
        beat ? num(beat.usPerOp) : 'n/a',
        patch ? num(patch.usPerOp) : 'n/a',
        floor ? num(floor.usPerOp) : 'n/a',
        ratio(beat && patch ? patch.usPerOp / beat.usPerOp : undefined),
        ratio(beat && floor ? beat.usPerOp / floor.usPerOp : undefined),
      ];
    }),
  );
  printTable(
    'Hydrate of one 100-member channel (engine.hydrate)',
    ['rows', 'current µs', 'baseline 0.3 µs', 'baseline ÷ current', `current vs ${int(small.rows)} rows`],
    current.map((result, index) => [
      int(result.rows),
      num(result.hydrate!.usPerOp),
      baseline[index]?.hydrate ? num(baseline[index]!.hydrate!.usPerOp) : 'skipped',
      ratio(baseline[index]?.hydrate ? baseline[index]!.hydrate!.usPerOp / result.hydrate!.usPerOp : undefined),
      ratio(result.hydrate!.usPerOp / small.hydrate!.usPerOp),
    ]),
  );
  // CPU time of the whole loop (this process, GC threads included): steadier than wall time on a loaded machine.
  const cpuUs = (rate: Rate | undefined): number | undefined => (rate ? 1e6 / rate.perCpuSec : undefined);
  const us = (rate: Rate | undefined): string => (rate ? num(cpuUs(rate)!) : 'n/a');
  const slower = (mine: Rate | undefined, theirs: Rate | undefined): string => ratio(mine && theirs ? cpuUs(mine)! / cpuUs(theirs)! : undefined);
  if (withReal) {
    printTable(
      'Reference engine against the real engine (same pack, same memory store; CPU µs per call over each whole loop)',
      ['rows', 'heartbeat, reference', 'heartbeat, real', 'real ÷ reference', 'cursor, reference', 'cursor, real', 'real ÷ reference', 'hydrate, reference', 'hydrate, real', 'real ÷ reference'],
      current.map((result, index) => {
        const other = real[index]!;
        return [
          int(result.rows),
          us(result.heartbeat), us(other.heartbeat), slower(other.heartbeat, result.heartbeat),
          us(result.cursor), us(other.cursor), slower(other.cursor, result.cursor),
          us(result.hydrate), us(other.hydrate), slower(other.hydrate, result.hydrate),
        ];
      }),
    );
  }
  printTable(
    "Each engine's own cost per commit (a trivial pack: one update, a Map writer, no schema, rules or subscriber), against the heartbeat through it (CPU µs per call)",
    ['rows', 'engine', 'commit µs', 'heartbeat µs', 'the pack\'s share (heartbeat − commit) µs'],
    [...current.map((result) => ['reference', result] as const), ...real.map((result) => ['real', result] as const)].map(([engine, result]) => [
      int(result.rows),
      engine,
      us(result.engineCommit),
      us(result.heartbeat),
      result.engineCommit && result.heartbeat ? num(cpuUs(result.heartbeat)! - cpuUs(result.engineCommit)!) : 'n/a',
    ]),
  );
  printTable(
    `Sweep of ${int(SWEEP_ROWS)} expired rows (runSchedule presence:cleanup, median of runs)`,
    ['live rows', 'current ms', 'runs', 'baseline 0.3 ms', 'baseline ÷ current'],
    current.map((result, index) => {
      const mine = sweepMedian(result);
      const theirs = sweepMedian(baseline[index]);
      return [
        int(result.rows),
        mine === undefined ? 'n/a' : num(mine),
        String(result.sweepMs?.length ?? 0),
        theirs === undefined ? 'skipped' : num(theirs),
        ratio(mine !== undefined && theirs !== undefined ? theirs / mine : undefined),
      ];
    }),
  );
  printTable(
    'Fill (rows written straight into the store before timing)',
    ['rows', 'current ms', 'baseline 0.3 ms'],
    current.map((result, index) => [int(result.rows), num(result.fillMs), baseline[index] ? num(baseline[index]!.fillMs) : 'skipped']),
  );

  const memory: MemoryResult[] = [];
  if (withMemory && canCollect()) {
    for (const rows of [100_000, 1_000_000]) {
      process.stderr.write(`memory ${int(rows)} rows...\n`);
      memory.push(inChild<MemoryResult>(['memory', 'current', String(rows)]));
      if (withBaseline) memory.push(inChild<MemoryResult>(['memory', 'baseline', String(rows)]));
    }
    printTable(
      `Heap per row (forced GC, one process per line; empty state, one empty state object = ${int(memory[0]!.stateBytes)} B)`,
      ['store', 'rows', 'bytes/row', 'bytes/row beyond state'],
      memory.map((result) => [result.kind === 'current' ? 'memory (current)' : 'baseline 0.3', int(result.rows), int(result.bytesPerRow), int(result.bytesBeyondState)]),
    );
  }

  for (const { engine, result } of ratios) printRatios(engine, result);

  // Targets from the issue, checked against this run's numbers (informational).
  const at = (rows: number): SizeResult | undefined => current.find((result) => result.rows === rows);
  const baseAt = (rows: number): SizeResult | undefined => baseline[current.findIndex((result) => result.rows === rows)];
  const checks: Check[] = [];
  const large = at(1_000_000);
  const thousand = at(1000);
  if (large && thousand) {
    const share = large.heartbeat!.perSec / thousand.heartbeat!.perSec;
    checks.push(['heartbeat/s at 1 000 000 rows ≥ ½ of 1 000 rows', share >= 0.5, `${num(share * 100, 0)}%`]);
    if (large.floor && thousand.floor) {
      // A store that did nothing but find the row in a Map would still pay the floor's extra cost.
      const bound = thousand.heartbeat!.usPerOp / (thousand.heartbeat!.usPerOp + large.floor.usPerOp - thousand.floor.usPerOp);
      checks.push(['(bound) the same share for a heartbeat that only added one Map lookup', bound >= 0.5, `${num(bound * 100, 0)}%`]);
    }
  }
  const reference = ratios.find((entry) => entry.engine === 'reference')?.result;
  if (reference) checks.push(...memoryTargets(reference));
  const fifty = at(50_000);
  const fiftyBase = baseAt(50_000);
  if (fifty && fiftyBase?.heartbeat) {
    const times = fifty.heartbeat!.perSec / fiftyBase.heartbeat.perSec;
    checks.push(['heartbeat/s at 50 000 rows ≥ 100x baseline', times >= 100, ratio(times)]);
  }
  if (large && thousand) {
    const slower = large.hydrate!.usPerOp / thousand.hydrate!.usPerOp;
    checks.push(['hydrate of 100 members at 1 000 000 rows within 2x of 1 000 rows', slower <= 2, ratio(slower)]);
    const sweep = sweepMedian(large);
    if (sweep !== undefined) checks.push([`sweep of ${int(SWEEP_ROWS)} among 1 000 000 < 100 ms`, sweep < 100, `${num(sweep)} ms`]);
  }
  const mem = memory.find((result) => result.kind === 'current' && result.rows === 1_000_000);
  if (mem) checks.push(['≤ 400 bytes per row beyond state (1 000 000 rows)', mem.bytesBeyondState <= 400, `${int(mem.bytesBeyondState)} B`]);
  printTargets(checks);

  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`\nTotal bench time ${num(seconds)} s.`);
  console.log(`load average at the end (1 / 5 / 15 min): ${load()}`);
  if (flag('--json')) console.log(JSON.stringify({ current, baseline, real, ratios, memory }));
};

(flag('--pack-ratios') ? Promise.resolve().then(packRatiosOnly) : main()).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
