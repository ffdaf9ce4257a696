/**
 * The 0.3 algorithm, rebuilt from its published README for comparison only:
 * a store of `{ reader: { all }, writer: { insert, update, delete }, expired }`
 * over one `Map`, and a pack whose every heartbeat and patch finds the
 * caller's row by scanning `reader.all()`, whose hydrate filters all rows and
 * whose cleanup lists `expired(now)` and then deletes each row by id.
 *
 * It runs through the same reference engine as the current pack (same schema
 * checks, write rules and fan-out), so the tables compare algorithms, not
 * hosts. Row ids are 0.3's `${channel}:${actorId}`; there are no sessions.
 *
 * @module
 */
import type { CollectionContext, SyncPack } from '../src/contract.js';
import type { JsonValue, PresenceState } from '../src/row.js';

/** A row as the 0.3 pack stored it. */
export interface BaselineRow {
  id: string;
  channel: string;
  actorId: string;
  scope: string;
  state: PresenceState;
  expiresAt: number;
  heartbeatAt: number;
}

/** The 0.3 store shape. */
export interface BaselineStore {
  reader: { all: () => BaselineRow[] };
  writer: {
    insert: (row: BaselineRow) => BaselineRow;
    update: (row: BaselineRow) => BaselineRow;
    delete: (row: BaselineRow) => void;
  };
  expired: (now: number) => BaselineRow[];
  /** Bench-only: how many rows are stored. */
  size: () => number;
  /** Bench-only: whether an id is stored, without a scan. */
  has: (id: string) => boolean;
}

/** The 0.3 in-memory store: a `Map` by id, listed in full on every read. */
export const createBaselineStore = (): BaselineStore => {
  const rows = new Map<string, BaselineRow>();
  return {
    reader: { all: () => Array.from(rows.values()) },
    writer: {
      insert: (row) => (rows.set(row.id, row), row),
      update: (row) => (rows.set(row.id, row), row),
      delete: (row) => void rows.delete(row.id),
    },
    expired: (now) => Array.from(rows.values()).filter((row) => row.expiresAt <= now),
    size: () => rows.size,
    has: (id) => rows.has(id),
  };
};

/** What the bench host passes as ctx. */
export interface BenchCtx extends CollectionContext {
  userId: string;
  workspaceId: string;
}

/** The 0.3 names (no prefix). */
export const baselineNames = {
  table: 'presence',
  heartbeat: 'presence:heartbeat',
  leave: 'presence:leave',
  cursor: 'presence:cursor',
  cleanup: 'presence:cleanup',
} as const;

const isString = (value: unknown): boolean => typeof value === 'string';
const isNumber = (value: unknown): boolean => typeof value === 'number';
const isObject = (value: unknown): boolean => typeof value === 'object' && value !== null;

interface ChannelArgs {
  channel: string;
}

/** Builds the 0.3-style pack over `store`; `now` is the host clock, `ttlMs` the heartbeat TTL. */
export const createBaselinePack = (store: BaselineStore, now: () => number, ttlMs: number): SyncPack => {
  const table = baselineNames.table;
  /** The full scan 0.3 does to find one row. */
  const find = (id: string): BaselineRow | undefined => store.reader.all().find((row) => row.id === id);
  return {
    name: table,
    version: '0.3.1-baseline',
    ownsTables: [table],
    schemas: {
      [table]: {
        fields: {
          id: isString,
          channel: isString,
          actorId: isString,
          scope: isString,
          state: isObject,
          expiresAt: isNumber,
          heartbeatAt: isNumber,
        },
      },
    },
    permissions: {
      [table]: {
        read: (ctx: BenchCtx, row: BaselineRow) => row.scope === ctx.workspaceId,
        write: (ctx: BenchCtx, row: BaselineRow) => row.actorId === ctx.userId,
      },
    },
    readers: { [table]: { all: () => store.reader.all() } },
    writers: { [table]: { insert: store.writer.insert, update: store.writer.update, delete: store.writer.delete } },
    collections: [
      {
        name: table,
        tables: [table],
        hydrate: (params: ChannelArgs, ctx: BenchCtx) => {
          const at = now();
          return store.reader
            .all()
            .filter((row) => row.scope === ctx.workspaceId && row.channel === params.channel && row.expiresAt > at);
        },
        match: (row: BaselineRow, params: ChannelArgs, ctx: BenchCtx) =>
          row.scope === ctx.workspaceId && row.channel === params.channel,
      },
    ],
    mutations: [
      {
        name: baselineNames.heartbeat,
        handler: async (args: ChannelArgs & { state?: PresenceState }, ctx: BenchCtx, actions) => {
          const id = `${args.channel}:${ctx.userId}`;
          const existing = find(id);
          const at = now();
          const row: BaselineRow = {
            id,
            channel: args.channel,
            actorId: ctx.userId,
            scope: ctx.workspaceId,
            state: args.state ?? existing?.state ?? {},
            expiresAt: at + ttlMs,
            heartbeatAt: at,
          };
          return existing === undefined ? actions.insert(table, row) : actions.update(table, row);
        },
      },
      {
        name: baselineNames.leave,
        handler: async (args: ChannelArgs, ctx: BenchCtx, actions) => {
          const existing = find(`${args.channel}:${ctx.userId}`);
          if (existing !== undefined) await actions.delete(table, existing);
        },
      },
      {
        name: baselineNames.cursor,
        handler: async (args: ChannelArgs & { cursor: JsonValue }, ctx: BenchCtx, actions) => {
          const existing = find(`${args.channel}:${ctx.userId}`);
          if (existing === undefined) throw new Error('not present');
          return actions.update(table, { ...existing, state: { ...existing.state, cursor: args.cursor } });
        },
      },
    ],
    schedules: [
      {
        name: baselineNames.cleanup,
        pattern: '*/15 * * * * *',
        run: async ({ actions }) => {
          // List, then delete by id: the 0.3 race (a heartbeat in between is lost) included.
          for (const row of store.expired(now())) await actions.delete(table, row);
        },
      },
    ],
  };
};
