/**
 * The pack's configuration: every key of the 0.3/0.4 pack with its default,
 * plus limits and cleanup batching.
 *
 * @module
 */
import type { Awaitable, CollectionContext } from './contract.js';
import type { PresenceStore } from './store.js';
import type { LegacyPresenceStore } from './stores/legacy.js';

/** What `createPresencePack` accepts. Every key is optional. */
export interface PresencePackConfig<Ctx = CollectionContext> {
  /** Prefix of the table, collection, mutation and schedule names (e.g. `docs_`). Default: none. */
  prefix?: string;
  /** The caller's actor id. Default: `ctx.userId`. */
  getActorId?: (ctx: Ctx) => unknown;
  /** The caller's tenant. Two scopes never see each other. Default: one global scope. */
  scope?: (ctx: Ctx) => unknown;
  /** Gate for subscribing to and writing in a channel; sync or async. Default: allow. */
  canAccessChannel?: (channel: string, ctx: Ctx) => Awaitable<boolean>;
  /** Seconds a heartbeat keeps its row live (whole milliseconds after rounding). Default 30. */
  heartbeatTtlSec?: number;
  /** Cron pattern of the cleanup schedule (six fields allowed). Default every 15 s. */
  cleanupCron?: string;
  /** Seconds a `typing: true` patch stays true. Default 5. */
  typingTtlSec?: number;
  /** Where rows live: a `PresenceStore`, or a 0.3 store (adapted). Default: a new memory store. */
  store?: PresenceStore | LegacyPresenceStore;
  /**
   * Deadline of one store call in milliseconds; past it the call rejects with
   * `STORE_TIMEOUT` (outcome unknown, safe to retry). Default 10 000, above
   * the bundled stores' own 5 000, so theirs answers first.
   */
  storeTimeoutMs?: number;
  /**
   * Deadline of one `canAccessChannel` call in milliseconds; a gate that has
   * not answered by then denies (`CHANNEL_DENIED`), as a gate that throws
   * does. Default 10 000.
   */
  accessTimeoutMs?: number;
  /** The clock, in epoch milliseconds. Default `Date.now`: the only clock read in the package. */
  now?: () => number;
  /** Limits on what clients may send. */
  limits?: PresenceLimits;
  /** Most rows one cleanup run removes. Default 5 000. */
  cleanupBatchSize?: number;
}

/** Limits on client input. */
export interface PresenceLimits {
  /** Largest state, in UTF-8 bytes of its JSON. Default 8 192. */
  maxStateBytes?: number;
  /** Deepest nesting of a state's objects and arrays (the state is depth 1), at most 256. Default 64. */
  maxStateDepth?: number;
  /** Longest channel name, in UTF-16 code units. Default 256. */
  maxChannelLength?: number;
  /** Longest session id, in UTF-16 code units. Default 256. */
  maxSessionLength?: number;
  /** Most live members (rows: one per actor and session) per channel; a new member beyond it gets `CHANNEL_FULL`. Default: unlimited. */
  maxMembersPerChannel?: number;
  /** Most live sessions one actor may hold in one channel; one more gets `CHANNEL_FULL`. Default 32. */
  maxSessionsPerActor?: number;
}
