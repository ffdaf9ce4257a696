/**
 * Bytes of heap per stored row, measured with forced GC (`node --expose-gc`):
 * heap after filling a store minus heap before, divided by the rows. Rows
 * are filled with an empty state; "beyond state" subtracts what one empty
 * state object costs on its own, so the figure is the row, its id and
 * identity strings, and the store's indexes.
 *
 * @module
 */
import { cloneJson } from '../src/json.js';
import { presenceRowId } from '../src/row.js';
import { createMemoryPresenceStore } from '../src/stores/memory.js';
import { createBaselineStore } from './baseline-03.js';
import { channelOf, scopeOf, T0, TTL_MS } from './fixtures.js';
import { canCollect, collect } from './measure.js';

/** One memory measurement. */
export interface MemoryResult {
  kind: 'current' | 'baseline';
  rows: number;
  /** Heap per row including its (empty) state object. */
  bytesPerRow: number;
  /** Heap per row minus one empty state object. */
  bytesBeyondState: number;
  /** Heap of one empty state object. */
  stateBytes: number;
}

const heapUsed = (): number => {
  collect();
  return process.memoryUsage().heapUsed;
};

/** Heap cost of one empty state object as the store holds it (a clone); measure it before any store exists. */
export const emptyStateBytes = (n = 200_000): number => {
  const holder = new Array<unknown>(n).fill(null);
  const before = heapUsed();
  for (let i = 0; i < n; i++) holder[i] = cloneJson({});
  const after = heapUsed();
  if (holder.length !== n) throw new Error('unreachable');
  return (after - before) / n;
};

/** Fills one store with `rows` rows (empty state) and measures heap per row; `stateBytes` from {@link emptyStateBytes}. */
export const measureMemory = (kind: 'current' | 'baseline', rows: number, stateBytes: number): MemoryResult => {
  if (!canCollect()) throw new Error('run node with --expose-gc to measure memory');
  // Channel names are shared by 100 rows each, as a host's would be; make them before the "before" reading.
  for (let i = 0; i < rows; i += 100) channelOf(i);
  const before = heapUsed();
  let keep: unknown;
  if (kind === 'current') {
    const store = createMemoryPresenceStore();
    for (let i = 0; i < rows; i++) {
      const identity = { scope: scopeOf(i), channel: channelOf(i), actorId: `user-${i}`, sessionId: '' };
      void store.upsert({ id: presenceRowId(identity), ...identity, state: {}, heartbeatAt: T0 - (i % 15_000), expiresAt: T0 - (i % 15_000) + TTL_MS });
    }
    keep = store;
  } else {
    const store = createBaselineStore();
    for (let i = 0; i < rows; i++) {
      const channel = channelOf(i);
      const actorId = `user-${i}`;
      store.writer.insert({ id: `${channel}:${actorId}`, channel, actorId, scope: scopeOf(i), state: {}, heartbeatAt: T0, expiresAt: T0 + TTL_MS });
    }
    keep = store;
  }
  const after = heapUsed();
  if (keep === undefined) throw new Error('unreachable');
  const bytesPerRow = (after - before) / rows;
  return { kind, rows, bytesPerRow, bytesBeyondState: bytesPerRow - stateBytes, stateBytes };
};
