/**
 * Checks every networked store gets, beyond the spec kit: exact round trips
 * of hostile input, concurrent sweepers on one backend, and outages.
 *
 * @module
 */
import { expect, test } from 'vitest';
// The kit's public entry, as a store author would use it.
import { certifyPresencePack, certifyPresenceStore, packInvariants, storeInvariants, type CertificationReport, type StoreSubject } from '../../spec/index.js';
import { PresenceError } from '../../src/errors.js';
import { presenceRowId, type PresenceIdentity, type PresenceRow, type PresenceState } from '../../src/row.js';
import type { PresenceStore } from '../../src/store.js';

/** Runs per invariant; `PRESENCE_CERTIFY_RUNS` overrides. */
export const certifyRuns = Number(process.env.PRESENCE_CERTIFY_RUNS ?? 50);

/** Runs the store certification (all invariants, or `only`) and fails with every failed invariant spelled out. */
export const expectCertified = async (subject: StoreSubject, numRuns = certifyRuns, only?: string[]): Promise<CertificationReport> => {
  const report = await certifyPresenceStore({ ...subject, numRuns, ...(only === undefined ? {} : { only }) });
  const failed = report.results.filter((result) => result.status === 'failed');
  expect(
    failed.map((result) => `${result.level} ${result.id}: ${result.error ?? ''}\n  counterexample: ${result.counterexample ?? ''}\n  seed ${result.seed} path ${result.path ?? ''}`),
  ).toEqual([]);
  expect(report.passed).toBe(true);
  expect(report.results.length).toBeGreaterThan(0);
  return report;
};

/** One named test per store invariant of the kit's catalog, each certified on its own. */
export const certifyEachInvariant = (subject: () => StoreSubject, numRuns = certifyRuns): void => {
  for (const invariant of storeInvariants) {
    test(`certifies ${invariant.id} (${invariant.level}): ${invariant.title}`, async () => {
      await expectCertified(subject(), numRuns, [invariant.id]);
    });
  }
};

/** Runs per pack invariant; `PRESENCE_CERTIFY_PACK_RUNS` overrides. */
export const certifyPackRuns = Number(process.env.PRESENCE_CERTIFY_PACK_RUNS ?? 25);

/** One named test per pack invariant: the presence pack on the store, in the reference engine. */
export const certifyPackEachInvariant = (subject: () => StoreSubject, numRuns = certifyPackRuns): void => {
  for (const invariant of packInvariants) {
    test(`certifies ${invariant.id} (${invariant.level}): ${invariant.title}`, async () => {
      const report = await certifyPresencePack({ ...subject(), numRuns, only: [invariant.id] });
      const failed = report.results.filter((result) => result.status === 'failed');
      expect(
        failed.map((result) => `${result.level} ${result.id}: ${result.error ?? ''}\n  counterexample: ${result.counterexample ?? ''}\n  seed ${result.seed} path ${result.path ?? ''}`),
      ).toEqual([]);
      expect(report.passed).toBe(true);
    });
  }
};

/** A row for an identity. */
export const rowOf = (identity: PresenceIdentity, heartbeatAt: number, expiresAt: number, state: PresenceState = {}): PresenceRow => ({
  id: presenceRowId(identity),
  ...identity,
  state,
  heartbeatAt,
  expiresAt,
});

/** Identities with every character class a store tends to break on. */
export const hostileIdentities: PresenceIdentity[] = [
  { scope: '', channel: '', actorId: '', sessionId: '' },
  { scope: '{', channel: '}', actorId: '{}', sessionId: '{{x}}' },
  { scope: 'a:b', channel: 'c', actorId: 'd', sessionId: '' },
  { scope: 'a', channel: 'b:c', actorId: 'd', sessionId: '' },
  { scope: '"\'\\', channel: '["x","y"]', actorId: '\n\t\r', sessionId: ' ' },
  { scope: 't\u0000nul', channel: 'lone \ud800 high', actorId: 'lone \udc00 low', sessionId: '\u0001leading' },
  { scope: 'caf\u00e9', channel: 'cafe\u0301', actorId: '\u{1F600}\u{1D11E}', sessionId: '\u4f60\u597d' },
  { scope: 'x'.repeat(200), channel: '%s*?[]^$', actorId: 'presence:{0}:rows', sessionId: '--; DROP TABLE presence' },
];

/** A state of about 8 KiB with unicode, escapes and numbers that must survive. */
export const largeState: PresenceState = {
  z: 1,
  a: 'x'.repeat(8_000),
  unicode: '\u{1F600} caf\u00e9 cafe\u0301 \u4f60\u597d \u0000 \ud800',
  numbers: [0, -1, 1.5, 5e-324, 1.7976931348623157e308, -9007199254740991],
  nested: { empty: {}, list: [], deep: [[{}], { a: [null, true, false] }] },
};

/** Writes hostile rows and reads them back through every method, exactly. */
export const expectExactRoundTrips = async (store: PresenceStore): Promise<void> => {
  const rows = hostileIdentities.map((identity, index) => rowOf(identity, 100 + index, 1_000 + index, index === 0 ? largeState : { index, who: identity.actorId }));
  for (const row of rows) expect(await store.upsert(row)).toEqual(row);
  for (const row of rows) {
    const got = await store.get(row.id);
    expect(got).toEqual(row);
    // Key order too: json text is kept byte for byte.
    expect(JSON.stringify(got?.state)).toBe(JSON.stringify(row.state));
    expect(await store.channel(row.scope, row.channel, 0)).toEqual([row]);
  }
  expect((await store.rows()).sort((a, b) => a.heartbeatAt - b.heartbeatAt)).toEqual(rows);
  expect(await store.sweep(1_003)).toEqual(rows.slice(0, 4));
  for (const row of rows.slice(4)) expect(await store.remove(row.id)).toEqual(row);
  expect(await store.rows()).toEqual([]);
};

/**
 * Several stores on one backend (as several nodes) sweep at once while
 * renewals race them: every expired row is returned by exactly one sweeper,
 * and no renewed row is ever taken.
 */
export const expectExclusiveConcurrentSweeps = async (nodes: PresenceStore[], rowsPerChannel = 40, channels = 25): Promise<void> => {
  const [writer] = nodes;
  const expired: PresenceRow[] = [];
  const renewed: PresenceRow[] = [];
  for (let channel = 0; channel < channels; channel += 1) {
    for (let actor = 0; actor < rowsPerChannel; actor += 1) {
      const row = rowOf({ scope: 's', channel: `c${channel}`, actorId: `a${actor}`, sessionId: '' }, 10, 50);
      (actor % 4 === 0 ? renewed : expired).push(row);
    }
  }
  await Promise.all([...expired, ...renewed].map((row) => writer!.upsert(row)));
  // Renewals and sweeps all in flight together; renewals push expiry past `now`.
  const renewals = renewed.map((row, index) => nodes[index % nodes.length]!.upsert({ ...row, heartbeatAt: 60, expiresAt: 200 }));
  const sweeps = nodes.flatMap((node) => [node.sweep(100, 97), node.sweep(100)]);
  const results = await Promise.all(sweeps);
  await Promise.all(renewals);
  const leftover = await Promise.all(nodes.map((node) => node.sweep(100)));
  const taken = [...results, ...leftover].flat().map((row) => row.id);
  // Renewals may land before or after a sweep: a renewed row is taken only if a sweep saw it expired first.
  const renewedIds = new Set(renewed.map((row) => row.id));
  const expiredTaken = taken.filter((id) => !renewedIds.has(id)).sort();
  expect(expiredTaken).toEqual(expired.map((row) => row.id).sort());
  expect(new Set(taken).size).toBe(taken.length);
  // A renewal that lost the race re-inserts its row, so every renewed row ends up stored and live.
  const remaining = new Map((await writer!.rows()).map((row) => [row.id, row]));
  for (const row of renewed) expect(remaining.get(row.id)?.expiresAt).toBe(200);
  expect(remaining.size).toBe(renewed.length);
};

/** Renewals that land first are never swept: sweeps after renewals take only the untouched rows. */
export const expectRenewedNeverSwept = async (nodes: PresenceStore[]): Promise<void> => {
  const rows = Array.from({ length: 60 }, (_, actor) => rowOf({ scope: 'r', channel: `c${actor % 6}`, actorId: `a${actor}`, sessionId: '' }, 10, 50));
  await Promise.all(rows.map((row) => nodes[0]!.upsert(row)));
  await Promise.all(rows.filter((_, index) => index % 3 === 0).map((row) => nodes[1 % nodes.length]!.upsert({ ...row, heartbeatAt: 20, expiresAt: 150 })));
  const swept = (await Promise.all(nodes.map((node) => node.sweep(100)))).flat();
  expect(swept.map((row) => row.id).sort()).toEqual(rows.filter((_, index) => index % 3 !== 0).map((row) => row.id).sort());
  expect((await nodes[0]!.rows()).filter((row) => row.scope === 'r').map((row) => row.expiresAt)).toEqual(new Array(20).fill(150));
};

/** Every method rejects with `STORE_UNAVAILABLE` (and nothing else), each within `withinMs`. */
export const expectUnavailable = async (
  store: PresenceStore,
  withinMs: number,
  codes: readonly string[] = ['STORE_UNAVAILABLE', 'STORE_TIMEOUT'],
): Promise<void> => {
  const row = rowOf({ scope: 's', channel: 'c', actorId: 'down', sessionId: '' }, 1, 2);
  const calls: [string, () => unknown][] = [
    ['get', () => store.get(row.id)],
    ['upsert', () => store.upsert(row)],
    ['update', () => store.update(row)],
    ['remove', () => store.remove(row.id)],
    ['channel', () => store.channel('s', 'c', 0)],
    // Far in the past: if this sweep is stuck and lands after the outage, it takes none of expectWorking's rows.
    ['sweep', () => store.sweep(-1_000_000_000)],
    ['rows', () => store.rows()],
  ];
  for (const [name, call] of calls) {
    const started = performance.now();
    const error = await Promise.resolve()
      .then(call)
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    const elapsed = performance.now() - started;
    expect(error, `${name} while the server is down`).toBeInstanceOf(PresenceError);
    expect(codes, name).toContain((error as PresenceError).code);
    expect(elapsed, `${name} took ${Math.round(elapsed)} ms`).toBeLessThan(withinMs);
  }
};

let working = 0;

/** How long a recovered store may keep timing out before it counts as broken: a loaded machine can take seconds to reconnect. */
const RECOVERY_MS = 15_000;

/**
 * The store works end to end (used before and after an outage). Its own
 * channel and times on every attempt: a write that timed out may still land
 * later. A `STORE_UNAVAILABLE` (a reconnect or a first connection slower than
 * the store's `timeoutMs` under load) is retried until {@link RECOVERY_MS}; any
 * wrong answer fails at once.
 */
export const expectWorking = async (store: PresenceStore): Promise<void> => {
  const deadline = performance.now() + RECOVERY_MS;
  for (;;) {
    try {
      return await roundTrip(store);
    } catch (error) {
      if (!(error instanceof PresenceError) || error.code !== 'STORE_UNAVAILABLE' || performance.now() > deadline) throw error;
    }
  }
};

const roundTrip = async (store: PresenceStore): Promise<void> => {
  working += 1;
  const row = rowOf({ scope: 'ok', channel: `c${working}`, actorId: 'back', sessionId: '' }, 1, -1_000 - working);
  expect(await store.upsert(row)).toEqual(row);
  expect(await store.get(row.id)).toEqual(row);
  expect(await store.channel('ok', row.channel, -2_000 - working)).toEqual([row]);
  expect(await store.sweep(-1_000 - working)).toEqual([row]);
};

/** Rows every bundled store refuses with `INVALID_ARGS`, by what is wrong with them. */
export const invalidRows: readonly (readonly [string, unknown])[] = (() => {
  const good = rowOf({ scope: '', channel: 'doc', actorId: 'alice', sessionId: '' }, 0, 10);
  return [
    ['null', null],
    ['a string', 'row'],
    ['a NaN expiresAt', { ...good, expiresAt: Number.NaN }],
    ['an Infinity heartbeatAt', { ...good, heartbeatAt: Infinity }],
    ['string times', { ...good, expiresAt: '10' }],
    ['a fractional time', { ...good, expiresAt: 10.5 }],
    ['a time past the largest safe integer', { ...good, expiresAt: 2 ** 53 }],
    ['a bigint in state', { ...good, state: { n: 10n } }],
    ['a function in state', { ...good, state: { f: () => 1 } }],
    ['an array state', { ...good, state: [] }],
    ['a state too deep for any store', { ...good, state: JSON.parse(`${'{"n":'.repeat(300)}1${'}'.repeat(300)}`) }],
    ['an id that is not presenceRowId(row)', { ...good, id: 'alice' }],
    ['a number actor', { ...good, actorId: 7 }],
    ['a missing scope', { ...good, scope: undefined }],
  ];
})();

/** A call's failure, synchronous throws included, or `undefined` when it succeeded. */
const failureOf = async (call: () => unknown): Promise<unknown> => {
  try {
    await call();
    return undefined;
  } catch (error) {
    return error;
  }
};

/**
 * The row checks of `src/stores/row-check.ts`, through the store's public
 * methods: every invalid row is refused by `upsert`, `update` and `admit`
 * with `INVALID_ARGS`, non-integer clocks and limits too, nothing is stored,
 * and a refused `NaN` expiry cannot block later sweeps.
 */
export const expectRowChecks = async (store: PresenceStore): Promise<void> => {
  const limits = { maxMembers: Infinity, maxSessionsPerActor: Infinity };
  const refused: string[] = [];
  for (const [name, row] of invalidRows) {
    for (const [method, write] of [
      ['upsert', () => store.upsert(row as PresenceRow)],
      ['update', () => store.update(row as PresenceRow)],
      ['admit', () => store.admit(row as PresenceRow, limits)],
    ] as const) {
      const error = await failureOf(write);
      if (error instanceof PresenceError && error.code === 'INVALID_ARGS') refused.push(`${method} ${name}`);
    }
  }
  expect(refused).toEqual(invalidRows.flatMap(([name]) => ['upsert', 'update', 'admit'].map((method) => `${method} ${name}`)));
  for (const now of [Number.NaN, Infinity, '5', 1.5]) {
    for (const read of [() => store.channel('', 'doc', now as number), () => store.sweep(now as number)]) {
      expect(await failureOf(read)).toMatchObject({ code: 'INVALID_ARGS' });
    }
  }
  for (const limit of [-1, 1.5, Number.NaN]) expect(await failureOf(() => store.sweep(100, limit))).toMatchObject({ code: 'INVALID_ARGS' });
  expect(await store.rows()).toEqual([]);
  const bob = rowOf({ scope: '', channel: 'doc', actorId: 'bob', sessionId: '' }, 0, 10);
  await store.upsert(bob);
  expect(await store.sweep(100)).toEqual([bob]);
};
