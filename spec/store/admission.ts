/**
 * Admission: `admit` refuses a new member exactly at the channel's limits,
 * changes nothing when it refuses, and stays exact when joins race. The races
 * run under `fc.scheduler`: each join starts when the scheduler releases it,
 * so every order of starts is tried, and a store that counts, awaits and then
 * inserts lets two joins count the same free place.
 *
 * @module
 */
import fc from 'fast-check';
import type { PresenceRow } from '../../src/row.js';
import type { Admission, AdmissionLimits, PresenceStore } from '../../src/store.js';
import { deepEqual, sameRows, show } from '../equal.js';
import type { StoreCheck, StoreCheckFamily } from '../invariant.js';
import { lastWriterWins } from '../model.js';
import { runProperty } from '../run-property.js';
import { STORE } from './ids.js';
import { InvariantViolation } from './model-run.js';
import { withStore } from './subject.js';
import { identityGrid, rowFor, smallState } from './universe.js';

/** One channel of one scope: three actors with three sessions each. */
const members = identityGrid(['s'], ['c'], ['a', 'b', 'c'], ['', 'x', 'y']);
/** A member of the same channel name in another scope: never counted. */
const outsider = rowFor({ scope: 't', channel: 'c', actorId: 'a', sessionId: '' }, 0, 100, {});

const limit = fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constant(Infinity));
const limits: fc.Arbitrary<AdmissionLimits> = fc.record({ maxMembers: limit, maxSessionsPerActor: limit });
const NOW = 10;

/** Rows stored before the join: some live at `NOW`, some expired, at most one per id. */
const storedRows = fc
  .uniqueArray(fc.constantFrom(...members), { maxLength: 6, selector: (identity) => JSON.stringify(identity) })
  .chain((identities) =>
    fc.tuple(...identities.map((identity) => fc.record({ expiresAt: fc.integer({ min: 5, max: 15 }), state: smallState }).map(({ expiresAt, state }) => rowFor(identity, 0, expiresAt, state)))),
  )
  .map((rows) => [...rows, outsider]);

/** What `admit(row)` must do to `stored`, and the rows after it: the model, written apart from every store. */
const expectedAdmission = (stored: readonly PresenceRow[], row: PresenceRow, bounds: AdmissionLimits): { reply: Admission; rows: PresenceRow[] } => {
  const now = row.heartbeatAt;
  const own = stored.find((other) => other.id === row.id);
  const others = stored.filter((other) => other.id !== row.id && other.scope === row.scope && other.channel === row.channel && other.expiresAt > now);
  const sessions = others.filter((other) => other.actorId === row.actorId).length;
  if (own === undefined || own.expiresAt <= now) {
    if (others.length >= bounds.maxMembers) return { reply: { admitted: false, full: 'channel', live: others.length }, rows: [...stored] };
    if (sessions >= bounds.maxSessionsPerActor) return { reply: { admitted: false, full: 'actor', live: sessions }, rows: [...stored] };
  }
  const merged = own === undefined ? row : lastWriterWins(own, row);
  return { reply: { admitted: true, row: merged }, rows: [...stored.filter((other) => other.id !== row.id), merged] };
};

const admitText = (row: PresenceRow, bounds: AdmissionLimits): string =>
  `admit(id=${row.id}, heartbeatAt=${row.heartbeatAt}, expiresAt=${row.expiresAt}, maxMembers=${bounds.maxMembers}, maxSessionsPerActor=${bounds.maxSessionsPerActor})`;

const setupText = (rows: readonly PresenceRow[]): string => rows.map((row) => `upsert(id=${row.id}, expiresAt=${row.expiresAt})`).join('; ');

const store = async (target: PresenceStore, rows: readonly PresenceRow[]): Promise<void> => {
  for (const row of rows) await target.upsert(structuredClone(row));
};

/** One join against stored rows. */
class Join {
  constructor(
    readonly stored: PresenceRow[],
    readonly row: PresenceRow,
    readonly bounds: AdmissionLimits,
  ) {}

  toString(): string {
    return `${setupText(this.stored)}; then ${admitText(this.row, this.bounds)}`;
  }
}

const join = fc
  .record({ stored: storedRows, identity: fc.constantFrom(...members), ttl: fc.integer({ min: 1, max: 10 }), state: smallState, bounds: limits })
  .map(({ stored, identity, ttl, state, bounds }) => new Join(stored, rowFor(identity, NOW, NOW + ttl, state), bounds));

const admitCheck: StoreCheck = {
  invariant: {
    id: STORE.admit,
    level: 'MUST',
    title: 'admit refuses a new member exactly at the limits and changes nothing when it does',
    description:
      'Judged at `now = row.heartbeatAt`: a row whose id is stored and live is merged as `upsert` merges it. Otherwise, when the scope\'s channel holds `maxMembers` live rows of other ids, `admit` answers `{ admitted: false, full: "channel", live }`; when the actor holds `maxSessionsPerActor` of them there, `full: "actor"`; then no row changes. Else it merges as `upsert` and answers `{ admitted: true, row }` with the stored row. Expired rows and other scopes never count.',
  },
  weight: 2,
  run: (subject, settings) =>
    runProperty(
      fc.asyncProperty(join, ({ stored, row, bounds }) =>
        withStore(subject, async (target) => {
          await store(target, stored);
          const expected = expectedAdmission(stored, row, bounds);
          const reply = await target.admit(structuredClone(row), bounds);
          if (!deepEqual(reply, expected.reply)) {
            throw new InvariantViolation(STORE.admit, `${admitText(row, bounds)} answered ${show(reply)}, expected ${show(expected.reply)}`);
          }
          const after = await target.rows();
          if (!sameRows(after, expected.rows)) throw new InvariantViolation(STORE.admit, `after ${admitText(row, bounds)} rows() is ${show(after)}, expected ${show(expected.rows)}`);
        }),
      ),
      settings,
    ),
};

/** Every order of `items`. */
const orders = <T>(items: readonly T[]): T[][] =>
  items.length <= 1 ? [[...items]] : items.flatMap((item, index) => orders([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]));

/** Concurrent joins of distinct new ids. */
class Crowd {
  constructor(
    readonly stored: PresenceRow[],
    readonly rows: PresenceRow[],
    readonly bounds: AdmissionLimits,
  ) {}

  toString(): string {
    return `${setupText(this.stored)}; then concurrently ${this.rows.map((row) => admitText(row, this.bounds)).join(' || ')}`;
  }
}

const crowd = storedRows.chain((stored) => {
  const fresh = members.filter((identity) => !stored.some((row) => row.actorId === identity.actorId && row.sessionId === identity.sessionId && row.scope === 's'));
  return fc
    .record({ identities: fc.shuffledSubarray(fresh, { minLength: 2, maxLength: Math.min(5, fresh.length) }), bounds: limits })
    .map(({ identities, bounds }) => new Crowd(stored, identities.map((identity) => rowFor(identity, NOW, NOW + 5, {})), bounds));
}).filter((scenario) => scenario.rows.length >= 2);

const raceAdmitCheck: StoreCheck = {
  invariant: {
    id: STORE.raceAdmit,
    level: 'MUST',
    title: 'concurrent joins never overshoot a limit',
    description:
      'Several `admit`s of new ids racing in one channel, started in every order a `fc.scheduler` picks, answer and leave the rows exactly as the same joins would one after another in some order: never more live members than `maxMembers`, never more sessions of one actor than `maxSessionsPerActor`, and no join refused while there was room. A store that counts, awaits, then inserts fails this.',
  },
  weight: 2,
  run: (subject, settings) =>
    runProperty(
      fc.asyncProperty(crowd, fc.scheduler(), ({ stored, rows, bounds }, scheduler) =>
        withStore(subject, async (target) => {
          await store(target, stored);
          const replies = rows.map((row, index) => scheduler.schedule(Promise.resolve(index), `start ${row.id}`).then(() => target.admit(structuredClone(row), bounds)));
          await scheduler.waitAll();
          const answered = await Promise.all(replies);
          const after = await target.rows();
          const serial = orders(rows.map((row, index) => ({ row, index }))).some((order) => {
            let state: PresenceRow[] = [...stored];
            const expected: Admission[] = [];
            for (const { row, index } of order) {
              const step = expectedAdmission(state, row, bounds);
              expected[index] = step.reply;
              state = step.rows;
            }
            return deepEqual(answered, expected) && sameRows(after, state);
          });
          if (!serial) {
            throw new InvariantViolation(STORE.raceAdmit, `the joins answered ${show(answered)} and left ${show(after)}: no one-at-a-time order of them does that`);
          }
        }),
      ),
      settings,
    ),
};

/** The admission invariants. */
export const admissionFamily: StoreCheckFamily = { name: 'admission', checks: [admitCheck, raceAdmitCheck] };
