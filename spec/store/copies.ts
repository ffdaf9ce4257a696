/**
 * Copies and round trips: the store owns its rows. Nothing a caller does to
 * an object after a call reaches the store, and a state comes back exactly.
 *
 * @module
 */
import fc from 'fast-check';
import type { PresenceRow } from '../../src/row.js';
import type { PresenceStore } from '../../src/store.js';
import { deepEqual, sameRows, show } from '../equal.js';
import type { StoreCheck, StoreCheckFamily } from '../invariant.js';
import { runProperty } from '../run-property.js';
import { STORE } from './ids.js';
import { jsonState } from './json-state.js';
import { modelBasedCheck } from './model-based.js';
import { InvariantViolation } from './model-run.js';
import { withStore } from './subject.js';
import { allIdentities, heartbeatTime, rowFor, timeBase, timeToLive } from './universe.js';

/** Reads a freshly inserted row back through every read and demands it unchanged. */
const roundTrip = async (store: PresenceStore, row: PresenceRow): Promise<void> => {
  const fail = (call: string, got: unknown): never => {
    throw new InvariantViolation(STORE.roundTrip, `${call} gave ${show(got)}, expected ${show(row)}`);
  };
  const returned = await store.upsert(structuredClone(row));
  if (!deepEqual(returned, row)) fail('upsert', returned);
  const read = await store.get(row.id);
  if (!deepEqual(read, row)) fail(`get(${row.id})`, read);
  const listed = await store.channel(row.scope, row.channel, row.expiresAt - 1);
  if (!sameRows(listed, [row])) fail(`channel(${show(row.scope)}, ${show(row.channel)}, ${row.expiresAt - 1})`, listed);
  const all = await store.rows();
  if (!sameRows(all, [row])) fail('rows()', all);
};

const roundTripCheck: StoreCheck = {
  invariant: {
    id: STORE.roundTrip,
    level: 'MUST',
    title: 'state round-trips exactly',
    description:
      'Any JSON object state comes back deep-equal from `upsert`, `get`, `channel` and `rows`: nested objects and arrays, empty ones, unicode including astral characters, negative and fractional numbers, payloads of 8 KiB. Key order may change; nothing else may.',
  },
  run: (subject, settings) =>
    runProperty(
      fc.asyncProperty(
        fc.constantFrom(...allIdentities),
        timeBase,
        heartbeatTime,
        timeToLive,
        jsonState,
        (identity, base, heartbeatAt, ttl, state) =>
          withStore(subject, (store) => roundTrip(store, rowFor(identity, base + heartbeatAt, base + heartbeatAt + ttl + 1, state))),
      ),
      settings,
    ),
};

/** The ownership invariants. */
export const copiesFamily: StoreCheckFamily = {
  name: 'copies and round trips',
  checks: [
    modelBasedCheck({
      id: STORE.copies,
      level: 'MUST',
      title: 'the store keeps its own copies',
      description:
        'Mutating, at any depth, an object passed to `upsert` or `update` after the call, or an object returned by `get`, `channel`, `rows`, `upsert` or `update`, never changes what the store holds.',
    }),
    roundTripCheck,
  ],
};
