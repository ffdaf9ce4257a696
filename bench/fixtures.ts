/**
 * The two subjects a bench run compares, behind one shape: the current pack
 * on the indexed memory store, and the 0.3 baseline. Both are registered on
 * a reference engine with a hand-moved clock, and both are filled by writing
 * straight into their store (filling a million rows through the engine would
 * measure the fill, not the operation).
 *
 * Row `i` lives in channel `doc:<i/100>` (100 members per channel), scope
 * `ws<channel % 64>`, actor `user-<i>`, no session; heartbeats spread the
 * rows' expiries over 15 s, as a 15 s heartbeat on a 30 s TTL would.
 *
 * @module
 */
import { createReferenceEngine } from '../spec/engine.js';
import type { MutationActions } from '../src/contract.js';
import { createPresencePack, type PresencePack } from '../src/pack.js';
import { presenceRowId, type PresenceState } from '../src/row.js';
import type { PresenceStore } from '../src/store.js';
import { createMemoryPresenceStore } from '../src/stores/memory.js';
import { baselineNames, createBaselinePack, createBaselineStore, type BaselineStore, type BenchCtx } from './baseline-03.js';
import type { BenchEngine, RealEngineFactory } from './real-engine.js';

/** Members per channel. */
export const CHANNEL_SIZE = 100;
/** Scopes rows are spread over. */
export const SCOPES = 64;
/** Heartbeat TTL, ms. */
export const TTL_MS = 30_000;
/** Clock start. */
export const T0 = 1_700_000_000_000;

/** A clock the bench moves by hand. */
export interface BenchClock {
  now: () => number;
  advance: (ms: number) => void;
}

const createClock = (): BenchClock => {
  let time = T0;
  return {
    now: () => time,
    advance: (ms) => {
      time += ms;
    },
  };
};

/** Which implementation: the current pack or the 0.3 baseline on the reference engine, or the current pack on the real engine. */
export type SubjectKind = 'current' | 'baseline' | 'real';

/** One implementation on its own engine, ready to be driven. */
export interface Subject {
  kind: SubjectKind;
  engine: BenchEngine;
  clock: BenchClock;
  names: { heartbeat: string; cursor: string; typing?: string; collection: string; cleanup: string };
  /** Writes rows `0..n-1` straight into the store. */
  fill: (n: number) => void;
  /** Writes `count` rows in fresh channels that expire at `expiresAt`; returns two of their ids. */
  addExpiring: (tag: string, count: number, expiresAt: number) => { first: string; last: string };
  /** Whether a row id is still stored (cheap for both subjects). */
  has: (id: string) => Promise<boolean>;
  /** The pack's own path of a mutation without an engine (current only): see {@link packRunner}. */
  packOnly?: (name: string, args: unknown, ctx: BenchCtx) => Promise<unknown>;
}

/**
 * Runs a mutation's handler straight, with actions that write through the
 * pack's own writer: the pack's path (mutations → machine → guarded store)
 * and nothing of an engine (no schema check, write rule, change log or
 * fan-out), so the pack's share of a call is visible on its own.
 */
const packRunner = (pack: PresencePack, clock: BenchClock): ((name: string, args: unknown, ctx: BenchCtx) => Promise<unknown>) => {
  const table = pack.names.table;
  const writer = pack.writers![table]!;
  const handlers = new Map(pack.mutations!.map((mutation) => [mutation.name, mutation.handler]));
  return (name, args, ctx) => {
    const actions: MutationActions = {
      insert: (_table, data) => writer.insert(data, ctx, undefined),
      update: (_table, data) => writer.update(data, ctx, undefined),
      delete: async (_table, row) => {
        await writer.delete(row, ctx, undefined);
      },
      change: () => Promise.resolve(),
      now: clock.now,
    };
    return handlers.get(name)!(args, ctx, actions);
  };
};

const scopes = Array.from({ length: SCOPES }, (_, index) => `ws${index}`);
const channels: string[] = [];

/** The channel of row `i` (strings shared across rows, as a host's would be). */
export const channelOf = (i: number): string => {
  const index = Math.floor(i / CHANNEL_SIZE);
  while (channels.length <= index) channels.push(`doc:${channels.length}`);
  return channels[index]!;
};

/** The scope of row `i`. */
export const scopeOf = (i: number): string => scopes[Math.floor(i / CHANNEL_SIZE) % SCOPES]!;

/** The ctx of the actor of row `i`. */
export const ctxOf = (i: number): BenchCtx => ({ userId: `user-${i}`, workspaceId: scopeOf(i) });

/** A typical small presence state. */
export const stateOf = (i: number): PresenceState => ({ name: `User ${i}`, color: '#3b82f6' });

/** Heartbeat time of row `i` at fill time: spread over the 15 s before the clock start. */
const filledAt = (i: number): number => T0 - (i % 15_000);

/** Writes one row straight into a subject's store; returns its id. */
type PutRow = (scope: string, channel: string, actorId: string, state: PresenceState, heartbeatAt: number, expiresAt: number) => string;

/** `fill` and `addExpiring` over a subject's `put`: both subjects write the same rows. */
const writers = (put: PutRow, clock: BenchClock): Pick<Subject, 'fill' | 'addExpiring'> => ({
  fill(n) {
    for (let i = 0; i < n; i++) put(scopeOf(i), channelOf(i), `user-${i}`, stateOf(i), filledAt(i), filledAt(i) + TTL_MS);
  },
  addExpiring(tag, count, expiresAt) {
    const ids: string[] = [];
    for (let k = 0; k < count; k++) {
      ids.push(put(scopes[0]!, `${tag}:${Math.floor(k / CHANNEL_SIZE)}`, `user-${k}`, {}, clock.now(), expiresAt));
    }
    return { first: ids[0]!, last: ids[ids.length - 1]! };
  },
});

/** A reference engine on the bench clock, with retries that never wait. */
const referenceEngine = (clock: BenchClock): BenchEngine => createReferenceEngine({ now: clock.now, sleep: async () => {} });

/** The bench's presence pack over `store`, on the bench clock. */
const benchPack = (store: PresenceStore, clock: BenchClock): PresencePack =>
  createPresencePack<BenchCtx>({
    getActorId: (ctx) => ctx.userId,
    scope: (ctx) => ctx.workspaceId,
    heartbeatTtlSec: TTL_MS / 1000,
    cleanupBatchSize: 10_000,
    now: clock.now,
    store,
  });

/**
 * A second engine, the reference one, with its own pack over the same store
 * and clock as `subject`: the same rows and the same heap, so both engines
 * can be timed in one process's interleaved rounds.
 */
export const onReferenceEngine = (subject: Subject & { store: PresenceStore }): BenchEngine => {
  const engine = referenceEngine(subject.clock);
  engine.registerPack(benchPack(subject.store, subject.clock));
  return engine;
};

/** The current pack on the memory store, on the reference engine or, given its factory, on the real one. */
export const createCurrentSubject = (real?: RealEngineFactory): Subject & { store: PresenceStore } => {
  const clock = createClock();
  const store = createMemoryPresenceStore();
  const engine = real === undefined ? referenceEngine(clock) : real();
  const pack = benchPack(store, clock);
  engine.registerPack(pack);
  const put: PutRow = (scope, channel, actorId, state, heartbeatAt, expiresAt) => {
    const identity = { scope, channel, actorId, sessionId: '' };
    const id = presenceRowId(identity);
    void store.upsert({ id, ...identity, state, heartbeatAt, expiresAt });
    return id;
  };
  return {
    kind: real === undefined ? 'current' : 'real',
    engine,
    clock,
    store,
    names: pack.names,
    ...writers(put, clock),
    has: async (id) => (await store.get(id)) !== undefined,
    packOnly: packRunner(pack, clock),
  };
};

/** The 0.3 baseline on its full-scan store. */
export const createBaselineSubject = (): Subject & { store: BaselineStore } => {
  const clock = createClock();
  const store = createBaselineStore();
  const engine = referenceEngine(clock);
  engine.registerPack(createBaselinePack(store, clock.now, TTL_MS));
  const put: PutRow = (scope, channel, actorId, state, heartbeatAt, expiresAt) => {
    const id = `${channel}:${actorId}`;
    store.writer.insert({ id, channel, actorId, scope, state, heartbeatAt, expiresAt });
    return id;
  };
  return {
    kind: 'baseline',
    engine,
    clock,
    store,
    names: { heartbeat: baselineNames.heartbeat, cursor: baselineNames.cursor, collection: baselineNames.table, cleanup: baselineNames.cleanup },
    ...writers(put, clock),
    has: async (id) => store.has(id),
  };
};

/** Creates a subject of any kind; `real` needs the real engine's factory. */
export const createSubject = (kind: SubjectKind, real?: RealEngineFactory): Subject => {
  if (kind === 'baseline') return createBaselineSubject();
  if (kind === 'real' && real === undefined) throw new Error('the real engine does not resolve: no real subject');
  return createCurrentSubject(kind === 'real' ? real : undefined);
};

/**
 * A fast, deterministic row picker (an LCG), so every run and both subjects
 * touch the same rows in the same order.
 */
export const picker = (n: number, seed = 12345): (() => number) => {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x % n;
  };
};
