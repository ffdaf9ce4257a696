/**
 * Races: two calls on one store, interleaved. Each scenario launches one call,
 * lets a generated number of microtask turns pass, then launches the other
 * (either may go first). A store whose call reads, awaits and then writes is
 * thereby caught at every point between its read and its write; a store with
 * real I/O interleaves on its own. No real clock is involved, so a failing
 * schedule replays exactly from its seed and path.
 *
 * @module
 */
import fc from 'fast-check';
import type { PresenceRow } from '../../src/row.js';
import type { PresenceStore } from '../../src/store.js';
import { deepEqual, show } from '../equal.js';
import type { Invariant, StoreCheck, StoreCheckFamily } from '../invariant.js';
import { lastWriterWins } from '../model.js';
import { runProperty } from '../run-property.js';
import { STORE } from './ids.js';
import { InvariantViolation } from './model-run.js';
import { withStore } from './subject.js';
import { basicUniverse, heartbeatTime, rowFor, smallState, timeBase, timeToLive } from './universe.js';

/** One of two concurrent store calls. */
interface RacingCall<T> {
  /** Performs the call. */
  readonly call: (store: PresenceStore) => Promise<T> | T;
  /** The call as text. */
  readonly text: string;
}

/** When the second call starts: which call leads, and how many microtask turns later the other follows. */
export interface Interleaving {
  /** Whether the second-listed call is launched first. */
  readonly swap: boolean;
  /** Microtask turns between the two launches. */
  readonly gap: number;
}

const interleaving: fc.Arbitrary<Interleaving> = fc.record({ swap: fc.boolean(), gap: fc.integer({ min: 0, max: 12 }) });

const turns = async (count: number): Promise<void> => {
  for (let turn = 0; turn < count; turn += 1) await Promise.resolve();
};

/** Runs both calls concurrently under the interleaving; results in listed order. */
const race = async <A, B>(store: PresenceStore, a: RacingCall<A>, b: RacingCall<B>, { swap, gap }: Interleaving): Promise<[A, B]> => {
  const launch = async <T>(call: RacingCall<T>, delay: number): Promise<T> => {
    await turns(delay);
    return call.call(store);
  };
  return Promise.all([launch(a, swap ? gap : 0), launch(b, swap ? 0 : gap)]);
};

const interleavingText = (a: string, b: string, { swap, gap }: Interleaving): string =>
  swap ? `${b} || (${gap} microtask turns later) ${a}` : `${a} || (${gap} microtask turns later) ${b}`;

/** A race scenario: setup rows, two calls, and the check of the outcome. */
interface Scenario {
  /** Rows stored before the race. */
  readonly setup: readonly PresenceRow[];
  /** The first call. */
  readonly a: RacingCall<unknown>;
  /** The second call. */
  readonly b: RacingCall<unknown>;
  /** How they interleave. */
  readonly order: Interleaving;
  /** Throws when the state after both settle breaks the invariant. */
  readonly judge: (store: PresenceStore) => Promise<void>;
}

/** Shows a scenario the way a store author reads it in a counterexample. */
const scenarioText = (scenario: Scenario): string =>
  `${scenario.setup.map((row) => `upsert(id=${row.id}, heartbeatAt=${row.heartbeatAt}, expiresAt=${row.expiresAt}, state=${show(row.state)})`).join('; ')}; then ${interleavingText(scenario.a.text, scenario.b.text, scenario.order)}`;

/** Wraps a scenario so fast-check prints it as text. */
class PrintedScenario {
  /** @param scenario - the scenario printed */
  constructor(readonly scenario: Scenario) {}

  /** The scenario as text. */
  toString(): string {
    return scenarioText(this.scenario);
  }
}

/** A check that plays generated race scenarios. */
const raceCheck = (invariant: Invariant, scenarios: fc.Arbitrary<Scenario>): StoreCheck => ({
  invariant,
  weight: 2,
  run: (subject, settings) =>
    runProperty(
      fc.asyncProperty(scenarios.map((scenario) => new PrintedScenario(scenario)), ({ scenario }) =>
        withStore(subject, async (store) => {
          for (const row of scenario.setup) await store.upsert(structuredClone(row));
          await race(store, scenario.a, scenario.b, scenario.order);
          await scenario.judge(store);
        }),
      ),
      settings,
    ),
});

const identity = fc.constantFrom(...basicUniverse.identities);

const expectRow = async (
  store: PresenceStore,
  invariant: string,
  id: string,
  accepted: readonly (PresenceRow | undefined)[],
): Promise<void> => {
  const stored = await store.get(id);
  if (!accepted.some((row) => deepEqual(stored, row))) {
    throw new InvariantViolation(invariant, `after both settled get(${id}) is ${show(stored)}, expected ${accepted.map(show).join(' or ')}`);
  }
};

const upsertCall = (row: PresenceRow): RacingCall<PresenceRow> => ({
  call: (store) => store.upsert(structuredClone(row)),
  text: `upsert(id=${row.id}, heartbeatAt=${row.heartbeatAt}, expiresAt=${row.expiresAt}, state=${show(row.state)})`,
});

/** An expired row, expired neighbours, and a refresh of the row racing a sweep. */
const sweepRefreshScenario: fc.Arbitrary<Scenario> = fc
  .record({
    identity,
    base: timeBase,
    heartbeatAt: heartbeatTime,
    ttl: timeToLive,
    lateBy: fc.integer({ min: 0, max: 5 }),
    refreshAfter: fc.integer({ min: 0, max: 10 }),
    refreshTtl: fc.integer({ min: 1, max: 20 }),
    neighbours: fc.uniqueArray(fc.constantFrom(...basicUniverse.identities), { maxLength: 4 }),
    state: smallState,
    order: interleaving,
  })
  .map(({ identity: who, base, heartbeatAt: offset, ttl, lateBy, refreshAfter, refreshTtl, neighbours, state, order }) => {
    const heartbeatAt = base + offset;
    const expired = rowFor(who, heartbeatAt, heartbeatAt + ttl, { n: 0 });
    const now = expired.expiresAt + lateBy;
    const refresh = rowFor(who, heartbeatAt + refreshAfter, now + refreshTtl, state);
    const others = neighbours.filter((other) => rowFor(other, 0, 0, {}).id !== expired.id).map((other) => rowFor(other, base, now, {}));
    return {
      setup: [...others, expired],
      a: { call: (store: PresenceStore) => store.sweep(now), text: `sweep(now=${now})` },
      b: upsertCall(refresh),
      order,
      judge: (store: PresenceStore) => expectRow(store, STORE.raceSweepRefresh, refresh.id, [refresh]),
    };
  });

/** Two upserts of one id with different heartbeats, maybe onto a stored row. */
const upsertUpsertScenario: fc.Arbitrary<Scenario> = fc
  .record({
    identity,
    base: timeBase,
    stored: fc.option(fc.record({ heartbeatAt: heartbeatTime, ttl: timeToLive }), { nil: undefined }),
    first: fc.record({ heartbeatAt: heartbeatTime, ttl: timeToLive }),
    laterBy: fc.integer({ min: 1, max: 10 }),
    ttl: timeToLive,
    newerFirst: fc.boolean(),
    order: interleaving,
  })
  .map(({ identity: who, base, stored, first, laterBy, ttl, newerFirst, order }) => {
    const at = base + first.heartbeatAt;
    const older = rowFor(who, at, at + first.ttl, { writer: 'older' });
    const newer = rowFor(who, at + laterBy, at + laterBy + ttl, { writer: 'newer' });
    const setup = stored === undefined ? [] : [rowFor(who, base + stored.heartbeatAt, base + stored.heartbeatAt + stored.ttl, { writer: 'stored' })];
    const [a, b] = newerFirst ? [newer, older] : [older, newer];
    const merged = (rows: readonly PresenceRow[]) => rows.reduce(lastWriterWins);
    return {
      setup,
      a: upsertCall(a),
      b: upsertCall(b),
      order,
      judge: (store: PresenceStore) =>
        expectRow(store, STORE.raceUpsertUpsert, older.id, [merged([...setup, a, b]), merged([...setup, b, a])]),
    };
  });

/** A stored row, then an update of it racing its removal. */
const updateRemoveScenario: fc.Arbitrary<Scenario> = fc
  .record({ identity, base: timeBase, offset: heartbeatTime, ttl: timeToLive, updateAfter: fc.integer({ min: -5, max: 10 }), state: smallState, order: interleaving })
  .map(({ identity: who, base, offset, ttl, updateAfter, state, order }) => {
    const heartbeatAt = base + offset;
    const stored = rowFor(who, heartbeatAt, heartbeatAt + ttl, { n: 0 });
    const patch = rowFor(who, heartbeatAt + updateAfter, heartbeatAt + ttl, state);
    return {
      setup: [stored],
      a: {
        call: (store: PresenceStore) => store.update(structuredClone(patch)),
        text: `update(id=${patch.id}, heartbeatAt=${patch.heartbeatAt}, expiresAt=${patch.expiresAt}, state=${show(patch.state)})`,
      },
      b: { call: (store: PresenceStore) => store.remove(stored.id), text: `remove(id=${stored.id})` },
      order,
      judge: (store: PresenceStore) => expectRow(store, STORE.raceUpdateRemove, stored.id, [undefined]),
    };
  });

/** The concurrency invariants. */
export const racesFamily: StoreCheckFamily = {
  name: 'races',
  checks: [
    raceCheck(
      {
        id: STORE.raceSweepRefresh,
        level: 'MUST',
        title: 'a sweep never removes a row refreshed while it runs',
        description:
          'When `sweep(now)` races an `upsert` that gives an expired row `expiresAt > now`, the refreshed row is stored once both settle: either the sweep removed the old row and the upsert re-inserted it, or the sweep saw the refreshed row and kept it. Deleting by a list read earlier loses it.',
      },
      sweepRefreshScenario,
    ),
    raceCheck(
      {
        id: STORE.raceUpsertUpsert,
        level: 'MUST',
        title: 'concurrent upserts keep the newer heartbeat',
        description:
          'Two concurrent `upsert`s of one id leave the row that one of their orders would: the newer `heartbeatAt` wins and `expiresAt` is the maximum of all writes, however their reads and writes interleave.',
      },
      upsertUpsertScenario,
    ),
    raceCheck(
      {
        id: STORE.raceUpdateRemove,
        level: 'MUST',
        title: 'an update racing a remove never resurrects the row',
        description:
          'When `update` races `remove` of the same id, the id is absent once both settle, in every interleaving: an update that ran first is removed, and an update that ran after the remove finds nothing and inserts nothing.',
      },
      updateRemoveScenario,
    ),
  ],
};
