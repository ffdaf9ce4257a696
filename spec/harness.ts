/**
 * A presence pack on the reference engine with a hand-moved clock and live
 * views: what pack tests and the pack certification drive. A view applies
 * every pushed diff, so comparing it with the store after each step checks
 * what subscribers actually see.
 *
 * @module
 */
import type { CollectionContext, SyncPack } from '../src/contract.js';
import type { PresencePackConfig } from '../src/config.js';
import { presenceNames, type PresenceNames } from '../src/names.js';
import { createPresencePack } from '../src/pack.js';
import type { PresenceRow, PresenceState, JsonValue } from '../src/row.js';
import type { PresenceStore } from '../src/store.js';
import type { PresenceParams } from '../src/surfaces/collection.js';
import { createMemoryPresenceStore } from '../src/stores/memory.js';
import { createReferenceEngine } from './engine.js';
import type { ViewDiff, ReferenceEngine } from './engine/types.js';

/** A clock tests move by hand. */
export interface ManualClock {
  /** The current time in epoch milliseconds. */
  now: () => number;
  /** Sets the time (it may go backwards). */
  set: (time: number) => void;
  /** Moves the time by `ms` (negative steps back). */
  advance: (ms: number) => void;
}

/** Creates a clock starting at `start`. */
export const createManualClock = (start = 1_000_000): ManualClock => {
  let time = start;
  return {
    now: () => time,
    set: (next) => {
      time = next;
    },
    advance: (ms) => {
      time += ms;
    },
  };
};

/** What `presence:leave` resolves to. */
export interface LeaveOutcome {
  /** How many rows were removed. */
  removed: number;
}

/** One caller's mutations, with the pack's names filled in. */
export interface PresenceClient {
  /** `presence:heartbeat`. */
  heartbeat: (channel: string, options?: { state?: PresenceState; session?: string }) => Promise<PresenceRow>;
  /** `presence:leave`. */
  leave: (channel: string, session?: string) => Promise<LeaveOutcome>;
  /** `presence:cursor`. */
  cursor: (channel: string, cursor: JsonValue, session?: string) => Promise<PresenceRow>;
  /** `presence:typing`. */
  typing: (channel: string, typing: boolean, session?: string) => Promise<PresenceRow>;
}

/** A live subscription and the view its diffs build. */
export interface PresenceView {
  /** The rows the subscriber holds now, by id order. */
  rows: () => PresenceRow[];
  /** Every diff received, in order. */
  diffs: ViewDiff<PresenceRow>[];
  /** Stops the subscription. */
  unsubscribe: () => void;
}

/** What {@link createPresenceHarness} returns. */
export interface PresenceHarness {
  /** The reference engine with the pack registered. */
  engine: ReferenceEngine;
  /** The clock shared by the pack and the engine. */
  clock: ManualClock;
  /** The store behind the pack. */
  store: PresenceStore;
  /** The pack's names. */
  names: PresenceNames;
  /** Mutations as the caller with this ctx. */
  as: (ctx: CollectionContext) => PresenceClient;
  /** Subscribes as `ctx` to `channel` and keeps a view. */
  watch: (ctx: CollectionContext, channel: string) => Promise<PresenceView>;
  /** One-shot hydrate as `ctx`. */
  members: (ctx: CollectionContext, channel: string) => Promise<PresenceRow[]>;
  /** Runs the cleanup schedule. */
  cleanup: () => Promise<void>;
}

/** Pack config for a harness: any `PresencePackConfig`, with a native store only. */
export interface HarnessPackConfig extends Omit<PresencePackConfig, 'store'> {
  /** The store; a fresh memory store by default. */
  store?: PresenceStore;
}

/** Options of {@link createPresenceHarness}. */
export interface PresenceHarnessOptions {
  /** Pack config; `store` defaults to a fresh memory store, and `now` is always the harness clock. */
  config?: HarnessPackConfig;
  /** Builds the pack from the final config; default `createPresencePack`. Lets a certification run a pack under test. */
  createPack?: (config: PresencePackConfig) => SyncPack;
  /** Clock start. */
  start?: number;
  /** An engine to register on instead of a new one. */
  engine?: ReferenceEngine;
}

const byId = (a: PresenceRow, b: PresenceRow): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Registers a presence pack on a reference engine driven by a manual clock. */
export const createPresenceHarness = (options: PresenceHarnessOptions = {}): PresenceHarness => {
  const clock = createManualClock(options.start);
  const store = options.config?.store ?? createMemoryPresenceStore();
  const config: PresencePackConfig = { ...options.config, store, now: clock.now };
  const engine = options.engine ?? createReferenceEngine({ now: clock.now, sleep: async () => {} });
  engine.registerPack((options.createPack ?? createPresencePack)(config));
  const names = presenceNames(config.prefix ?? '');

  const as = (ctx: CollectionContext): PresenceClient => ({
    heartbeat: (channel, extra = {}) => engine.runMutation(names.heartbeat, { channel, ...extra }, ctx),
    leave: (channel, session) => engine.runMutation(names.leave, { channel, session }, ctx),
    cursor: (channel, cursor, session) => engine.runMutation(names.cursor, { channel, cursor, session }, ctx),
    typing: (channel, typing, session) => engine.runMutation(names.typing, { channel, typing, session }, ctx),
  });

  const watch = async (ctx: CollectionContext, channel: string): Promise<PresenceView> => {
    const view = new Map<string, PresenceRow>();
    const diffs: ViewDiff<PresenceRow>[] = [];
    const subscription = await engine.subscribe<PresenceRow, PresenceParams>({
      collection: names.collection,
      params: { channel },
      ctx,
      onDiff: (diff) => {
        diffs.push(diff);
        for (const row of diff.removed) view.delete(row.id);
        for (const row of [...diff.added, ...diff.changed]) view.set(row.id, row);
      },
    });
    for (const row of subscription.initial) view.set(row.id, row);
    return { rows: () => [...view.values()].sort(byId), diffs, unsubscribe: subscription.unsubscribe };
  };

  return {
    engine,
    clock,
    store,
    names,
    as,
    watch,
    members: async (ctx, channel) => (await engine.hydrate<PresenceRow>(names.collection, { channel }, ctx)).sort(byId),
    cleanup: () => engine.runSchedule(names.cleanup),
  };
};
