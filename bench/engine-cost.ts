/**
 * What an engine costs per commit by itself: a mutation whose handler makes
 * one `actions.update` on a table whose writer only stores the row in a
 * `Map` (no schema, no permissions, no subscriber), registered like the
 * presence pack (one collection on the table). Its time is the engine's
 * share of every presence mutation; the rest of a heartbeat is the pack's.
 * The reference engine's change log is also timed alone (`commit` of one
 * change, as a mutation logs it).
 *
 * @module
 */
import { createReferenceEngine } from '../spec/engine.js';
import { createChangeLog } from '../spec/engine/changelog.js';
import type { SyncPack } from '../src/contract.js';
import type { BenchEngine } from './real-engine.js';

const TABLE = 'bench_noop';
const MUTATION = 'bench_noop:write';
/** Distinct rows the trivial writer cycles through (small: the point is the engine, not the memory). */
const ROWS = 1024;

interface NoopRow {
  id: string;
  n: number;
}

/** The trivial pack: one table, a Map writer, one mutation that updates a row. */
const noopPack = (): SyncPack => {
  const rows = new Map<string, NoopRow>();
  const put = (row: NoopRow): NoopRow => {
    rows.set(row.id, row);
    return row;
  };
  return {
    name: 'bench-noop',
    version: '0',
    ownsTables: [TABLE],
    writers: { [TABLE]: { insert: put, update: put, delete: (row: NoopRow) => void rows.delete(row.id) } },
    collections: [{ name: TABLE, hydrate: () => [...rows.values()] }],
    mutations: [{ name: MUTATION, handler: (args: unknown, _ctx: unknown, actions) => actions.update(TABLE, args) }],
  };
};

const ids = Array.from({ length: ROWS }, (_, index) => `row-${index}`);

/** A commit through `engine` with the trivial pack registered on it, per call. */
export const engineCommitLoop = (engine: BenchEngine): ((k: number) => Promise<unknown>) => {
  engine.registerPack(noopPack());
  return (k) => engine.runMutation(MUTATION, { id: ids[k % ROWS]!, n: k }, {});
};

/** A commit through a fresh reference engine with the trivial pack. */
export const referenceCommitLoop = (): ((k: number) => Promise<unknown>) =>
  engineCommitLoop(createReferenceEngine({ sleep: async () => {} }));

/** The reference engine's change log alone: one logged change per call, on a full 1 024-entry log. */
export const changeLogLoop = (): ((k: number) => number) => {
  const log = createChangeLog('bench', 1024);
  return (k) => log.commit([{ table: TABLE, op: 'update', row: { id: ids[k % ROWS]!, n: k } }]);
};
