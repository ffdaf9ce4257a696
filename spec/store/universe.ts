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
 * A few states, some nested, so a store that copies shallowly or keeps the
 * caller's object is caught when a nested value is mutated.
 */
export const smallState: fc.Arbitrary<PresenceState> = fc.constantFrom<PresenceState>(
  {},
  { n: 1 },
  { n: 2, cursor: { x: 1, y: 2 } },
  { typing: true, tags: ['a', 'b'] },
  { name: 'Ada', cursor: { x: 3, y: 4 }, tags: [] },
);

/** Heartbeat instants in a narrow window so equal and older heartbeats are common. */
export const heartbeatTime: fc.Arbitrary<number> = fc.integer({ min: 0, max: 30 });

/** Time to live added to a heartbeat; zero makes a row that is born expired. */
export const timeToLive: fc.Arbitrary<number> = fc.integer({ min: 0, max: 20 });

/** The `now` of reads and sweeps: jumps forward and back across every expiry. */
export const clockTime: fc.Arbitrary<number> = fc.integer({ min: 0, max: 50 });

/** A full row for one identity. */
export const rowFor = (
  identity: PresenceIdentity,
  heartbeatAt: number,
  expiresAt: number,
  state: PresenceState,
): PresenceRow => ({ id: presenceRowId(identity), ...identity, state, expiresAt, heartbeatAt });

/** A row of one of the universe's identities, with a small state. */
export const rowIn = (universe: Universe): fc.Arbitrary<PresenceRow> =>
  fc
    .record({ identity: fc.constantFrom(...universe.identities), heartbeatAt: heartbeatTime, ttl: timeToLive, state: smallState })
    .map(({ identity, heartbeatAt, ttl, state }) => rowFor(identity, heartbeatAt, heartbeatAt + ttl, state));
