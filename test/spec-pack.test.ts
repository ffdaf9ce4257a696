import { describe, expect, it } from 'vitest';
import { certifyPresencePack, packInvariants } from '../spec/pack/certify.js';
import { PACK } from '../spec/pack/ids.js';
import { createMemoryPresenceStore } from '../src/index.js';
import { brokenPacks } from './pack-zoo/broken-packs.js';

const create = () => createMemoryPresenceStore();

/** How the counterexamples of the checks that print their own way read (a model run may start with a stored row's owner). */
const readable: Partial<Record<string, RegExp>> = {
  [PACK.raceCleanup]:
    /^heartbeat\(c1\) by \S+@s\d.*; clock \+10000 ms \(every row expired\); then (one cleanup|two cleanups) racing heartbeat\(c1\) by .*; store calls in the order they ran: (get|upsert|update|remove|channel|sweep|rows)\((id=\[|now=|scope=|\)).* → /,
  [PACK.racePatchLeave]:
    /^heartbeat\(c1(, session=tab)?\) by \S+@s\d; then (cursor|typing)\(c1, .*\) racing leave\(c1(, session=".*")?\); store calls in the order they ran: \w+\(.* → /,
  [PACK.cleanupRetry]: /^heartbeat\(c1\) by \d member\(s\); clock \+10000 ms; the first \d sweep\(s\) fail with (STORE_UNAVAILABLE|STORE_TIMEOUT|INVALID_ARGS|a TypeError); then cleanup$/,
  // A fault run may open with cleanups, which no actor makes.
  [PACK.faults]: /^(cleanup\(\),)*(owner of stored row #\d+ \(by id\): )?\S+@s\d .*\(store calls failing by fault seed \d+\)$/,
  [PACK.cluster]: /^[23] nodes; (n\d: \S+@s\d \w+\(|n\d: cleanup|clock |bus: (drop|deliver) pending\[\d\]|bus: (deliver everything|drop the newest) pending to n\d|finally: )/,
  [PACK.prefix]: /^(one_|two_)presence:(heartbeat|leave|cursor) as \S+@s\d in c:?1(; |$)/,
};

describe('pack certification', () => {
  it('passes the real pack on the memory store, every invariant with runs behind it', async () => {
    const report = await certifyPresencePack({ create });
    const failures = report.results.filter((result) => result.status !== 'passed');
    expect(failures, JSON.stringify(failures, null, 2)).toEqual([]);
    expect(report.results.map((result) => result.id)).toEqual(packInvariants.map((invariant) => invariant.id));
    for (const result of report.results) expect(result.runs).toBeGreaterThan(0);
  });

  it.each(brokenPacks.map((broken) => [broken.name, broken] as const))('rejects a pack that %s', async (_name, broken) => {
    const report = await certifyPresencePack({ create, createPack: broken.createPack, only: [broken.caughtBy] });
    const [result] = report.results;
    expect(report.passed).toBe(false);
    expect(result).toMatchObject({ id: broken.caughtBy, status: 'failed' });
    expect(result!.path).toBeTypeOf('string');
    // Printed as calls: no generator internals (scheduler, task ids, a trailing fault seed, raw records).
    expect(result!.counterexample).toBeTypeOf('string');
    expect(result!.counterexample).not.toMatch(/schedulerFor|promise::|\[task\$\{|, -?\d+$|\{"target"|, (true|false)$/);
    expect(result!.counterexample).toMatch(readable[broken.caughtBy] ?? /^((owner of stored row #\d+ \(by id\): )?\S+@s\d (claiming \S+: )?\w+\(|clock)/);
    // The seed and path replay the same failure.
    const replay = await certifyPresencePack({ create, createPack: broken.createPack, only: [broken.caughtBy], seed: report.seed, path: result!.path! });
    expect(replay.results[0]).toMatchObject({ status: 'failed', counterexample: result!.counterexample });
  });
});
