/**
 * The identities a run draws from, and the value generators for rows. Small
 * pools and small clock windows on purpose: ties, collisions and re-inserts
 * then turn up in almost every run, boundary instants (`expiresAt === now`)
 * often (channel reads also aim at them on purpose: see `storeCommands`).
 *
 * @module
 */
import fc from 'fast-check';
import { presenceRowId, type PresenceIdentity, type PresenceRow, type PresenceState } from '../../src/row.js';

/** The identities of one run, with the (scope, channel) pairs `channel()` is asked about. */
export interface Universe {
  /** Every identity a command may name. */
  readonly identities: readonly PresenceIdentity[];
  /** Their row ids, in the same order. */
  readonly ids: readonly string[];
  /** Distinct (scope, channel) pairs among them. */
  readonly channels: readonly (readonly [scope: string, channel: string])[];
}

/** Builds a universe from explicit identities. */
export const universeOf = (identities: readonly PresenceIdentity[]): Universe => {
  const pairs = new Map<string, readonly [string, string]>();
  for (const { scope, channel } of identities) pairs.set(JSON.stringify([scope, channel]), [scope, channel]);
  return { identities, ids: identities.map(presenceRowId), channels: [...pairs.values()] };
};

/** Every combination of the given parts. */
export const identityGrid = (
  scopes: readonly string[],
  channels: readonly string[],
  actors: readonly string[],
  sessions: readonly string[],
): PresenceIdentity[] =>
  scopes.flatMap((scope) =>
    channels.flatMap((channel) =>
      actors.flatMap((actorId) => sessions.map((sessionId) => ({ scope, channel, actorId, sessionId }))),
    ),
  );

/** Two scopes, two channels, two actors, two sessions (one of them `''`): sixteen rows that differ in one part each. */
export const basicUniverse: Universe = universeOf(identityGrid(['s1', 's2'], ['c1', 'c2'], ['a', 'b'], ['', 'x']));

/**
 * Identities chosen to collide under the encodings stores get wrong: joining
 * parts with `:`, dropping the scope or session, trimming, unicode
 * normalisation, case folding, unescaped quotes and backslashes.
 */
export const trickyUniverse: Universe = universeOf([
  { scope: '', channel: 'a:b', actorId: 'c', sessionId: '' },
  { scope: '', channel: 'a', actorId: 'b:c', sessionId: '' },
  { scope: 't', channel: 'a', actorId: 'b', sessionId: '' },
  { scope: '', channel: 't:a', actorId: 'b', sessionId: '' },
  { scope: '', channel: 'a', actorId: 'b', sessionId: 'x' },
  { scope: '', channel: '', actorId: '', sessionId: '' },
  { scope: '"', channel: '\\', actorId: '","', sessionId: '\\"' },
  { scope: '', channel: '["a"]', actorId: '"b"', sessionId: ' ' },
  { scope: '', channel: 'caf\u00e9', actorId: '\u{1F600}', sessionId: '' },
  { scope: '', channel: 'cafe\u0301', actorId: '\u{1F600}', sessionId: '' },
  { scope: '', channel: 'A', actorId: 'b', sessionId: '' },
  { scope: ' ', channel: 'a', actorId: 'b ', sessionId: '' },
]);

/**
 * Identities that collide under the matching rules of real databases: case
 * folding (`ci` collations, SQLite `LIKE`), PAD SPACE collations that ignore
 * trailing spaces (MySQL), trimming, unicode normalisation, and the `LIKE`,
 * `GLOB` and regex metacharacters `%`, `_`, `*`, `?`, `[`, `]`, `\` and `.`,
 * each a query pattern that would match a neighbour if used unescaped.
 */
export const collationUniverse: Universe = universeOf([
  { scope: 's', channel: 'room', actorId: 'a', sessionId: '' },
  { scope: 's', channel: 'room', actorId: 'a', sessionId: 'x' },
  { scope: 's', channel: 'Room', actorId: 'a', sessionId: '' },
  { scope: 's', channel: 'room ', actorId: 'a', sessionId: '' },
  { scope: 's', channel: ' room', actorId: 'a', sessionId: '' },
  { scope: 's', channel: 'r%', actorId: 'a', sessionId: '' },
  { scope: 's', channel: 'r_om', actorId: 'a', sessionId: '' },
  { scope: 's', channel: 'r*', actorId: 'a', sessionId: '' },
  { scope: 's', channel: 'r??m', actorId: 'a', sessionId: '' },
  { scope: 's', channel: '[r]oom', actorId: 'a', sessionId: '' },
  { scope: 's', channel: 'r\\%', actorId: 'a', sessionId: '' },
  { scope: 's', channel: 'r.*', actorId: 'a', sessionId: '' },
  { scope: 's', channel: 'caf\u00e9', actorId: 'a', sessionId: '' },
  { scope: 's', channel: 'cafe\u0301', actorId: 'a', sessionId: '' },
  { scope: 'S', channel: 'room', actorId: 'A', sessionId: ' ' },
  { scope: 's ', channel: 'room', actorId: 'a ', sessionId: 'X' },
  { scope: 's', channel: 'room', actorId: 'A', sessionId: 'x' },
]);

/**
 * Identities that collide under coercion and encoding: numeric-looking ids a
 * store parses as numbers (`7`, `007`, `7.0`, `1e3`, `-0`), lone surrogates a
 * UTF-8 encoder turns into U+FFFD, NUL where C strings end, astral characters
 * a 3-byte `utf8` column cannot hold, and `''` in every field (Oracle stores
 * `''` as `NULL`, and `NULL = ''` is never true).
 */
export const encodingUniverse: Universe = universeOf([
  { scope: '', channel: '7', actorId: '7', sessionId: '' },
  { scope: '', channel: '7', actorId: '7', sessionId: '07' },
  { scope: '', channel: '7', actorId: '007', sessionId: '' },
  { scope: '', channel: '7', actorId: '7.0', sessionId: '' },
  { scope: '', channel: '7', actorId: '1e3', sessionId: '' },
  { scope: '', channel: '7', actorId: '1000', sessionId: '' },
  { scope: '', channel: '7', actorId: '-0', sessionId: '0' },
  { scope: '0', channel: '007', actorId: '0', sessionId: '' },
  { scope: '', channel: '\ud800', actorId: 'a', sessionId: '' },
  { scope: '', channel: '\udc00', actorId: 'a', sessionId: '' },
  { scope: '', channel: '\ufffd', actorId: 'a', sessionId: '\ud83d' },
  { scope: '', channel: 'a\u0000b', actorId: 'a', sessionId: '' },
  { scope: '', channel: 'a', actorId: 'a\u0000', sessionId: '' },
  { scope: '', channel: '\u{1F600}', actorId: 'a', sessionId: '' },
  { scope: '', channel: '\u{1F601}', actorId: 'a', sessionId: '' },
  { scope: '', channel: '', actorId: 'a', sessionId: '' },
  { scope: 'null', channel: '', actorId: '', sessionId: 'null' },
]);

const long = (length: number, last = ''): string => 'c'.repeat(length - last.length) + last;

/**
 * Identities at the column limits stores declare: 63 (PostgreSQL `NAME`),
 * 64, 255 (`VARCHAR(255)`) and 256 (the pack's own `maxChannelLength` and
 * `maxSessionLength`) characters, differing only past the cut, plus parts made
 * of astral characters whose UTF-8 length is four times their count.
 */
export const longUniverse: Universe = universeOf([
  { scope: '', channel: long(63), actorId: 'a', sessionId: '' },
  { scope: '', channel: long(63), actorId: 'a', sessionId: long(255) },
  { scope: '', channel: long(64, 'x'), actorId: 'a', sessionId: '' },
  { scope: '', channel: long(64, 'y'), actorId: 'a', sessionId: '' },
  { scope: '', channel: long(255), actorId: 'a', sessionId: '' },
  { scope: '', channel: long(256, 'x'), actorId: 'a', sessionId: '' },
  { scope: '', channel: long(256, 'y'), actorId: 'a', sessionId: long(256, '1') },
  { scope: '', channel: long(63), actorId: long(1000, 'b'), sessionId: long(256, '2') },
  { scope: long(64, 's'), channel: long(63), actorId: long(1000, 'c'), sessionId: '' },
  { scope: long(64, 't'), channel: '\u{1F600}'.repeat(128), actorId: 'a', sessionId: '' },
  { scope: '', channel: `${'\u{1F600}'.repeat(127)}\u{1F601}`, actorId: 'a', sessionId: '' },
]);

/** Every universe a model run may draw from; each run uses one, so its pool stays small. */
export const storeUniverses: readonly Universe[] = [basicUniverse, trickyUniverse, collationUniverse, encodingUniverse, longUniverse];

/**
 * A run's universe: the basic grid (every identity has neighbours that differ
 * in one part, sessions included) in three runs of eight, the collation
 * universe (whose channels are patterns matching each other) in two, each of
 * the others in one: what their bugs need is rarer in the basic grid and the
 * collation universe.
 */
export const universeOfRun: fc.Arbitrary<Universe> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(basicUniverse) },
  { weight: 2, arbitrary: fc.constant(collationUniverse) },
  { weight: 3, arbitrary: fc.constantFrom(trickyUniverse, encodingUniverse, longUniverse) },
);

/** Every identity of every universe. */
export const allIdentities: readonly PresenceIdentity[] = storeUniverses.flatMap((universe) => universe.identities);

/**
 * States for model runs: nested ones (so a store that copies shallowly or
 * keeps the caller's object is caught when a nested value is mutated), and
 * many that share their keys and differ in one value only, at the top or
 * deep inside, by key order, or by a JSON kind (`1` and `'1'`, `null`, an
 * array and an object with the same keys), or by a key fewer, so a store that
 * compares or merges states shallowly or by their keys keeps a stale one.
 */
export const smallState: fc.Arbitrary<PresenceState> = fc.constantFrom<PresenceState>(
  {},
  { n: 1 },
  { n: 2 },
  { m: 1 },
  { n: '1' },
  { n: null },
  { n: -1.5 },
  { n: 1e21 },
  { n: 1, m: 2 },
  { n: 2, cursor: { x: 1, y: 2 } },
  { n: 2, cursor: { x: 1, y: 3 } },
  { n: 2, cursor: { x: 1 } },
  { n: 2, cursor: null },
  { typing: true, tags: ['a', 'b'] },
  { typing: true, tags: ['b', 'a'] },
  { typing: true, tags: { 0: 'a', 1: 'b' } },
  { deep: { a: { b: [1, { c: true }] } } },
  { deep: { a: { b: [1, { c: false }] } } },
  { name: 'Ada', cursor: { x: 3, y: 4 }, tags: [] },
);

/**
 * Where a run's clock window sits: at zero, at epoch-millisecond magnitude,
 * straddling 2^31 and 2^32 ms (where 32-bit columns wrap) and just below the
 * largest safe integer, so a store that narrows times is caught. The last
 * base leaves room for the furthest time a run writes (a churn's 200 renewals
 * plus its TTL): a time past the largest safe integer is bad input, which
 * stores rightly refuse.
 */
export const timeBase: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(0) },
  fc.constantFrom(1_700_000_000_000, 2 ** 31 - 25, 2 ** 32 - 25, Number.MAX_SAFE_INTEGER - 256),
);

/** Heartbeat instants in a narrow window so equal and older heartbeats are common. */
export const heartbeatTime: fc.Arbitrary<number> = fc.integer({ min: 0, max: 30 });

/** Time to live added to a heartbeat; zero makes a row that is born expired. */
export const timeToLive: fc.Arbitrary<number> = fc.integer({ min: 0, max: 20 });

/** The `now` of reads and sweeps: jumps forward and back across every expiry. */
export const clockTime: fc.Arbitrary<number> = fc.integer({ min: 0, max: 50 });

/** The end of the clock window: every row written in it has expired by then. */
export const CLOCK_END = 50;

/** A full row for one identity. */
export const rowFor = (
  identity: PresenceIdentity,
  heartbeatAt: number,
  expiresAt: number,
  state: PresenceState,
): PresenceRow => ({ id: presenceRowId(identity), ...identity, state, expiresAt, heartbeatAt });

/** A row of one of the universe's identities, with a small state, its times offset by `base`. */
export const rowIn = (universe: Universe, base = 0): fc.Arbitrary<PresenceRow> =>
  fc
    .record({ identity: fc.constantFrom(...universe.identities), heartbeatAt: heartbeatTime, ttl: timeToLive, state: smallState })
    .map(({ identity, heartbeatAt, ttl, state }) => rowFor(identity, base + heartbeatAt, base + heartbeatAt + ttl, state));
