/**
 * Config resolution: defaults applied and every key checked once, at the
 * factory, so a bad config fails before the pack is registered.
 *
 * @module
 */
import { Cron } from 'croner';
import type { Awaitable, CollectionContext } from './contract.js';
import type { PresencePackConfig } from './config.js';
import { PresenceConfigError } from './errors.js';
import { MAX_STATE_DEPTH } from './row.js';
import type { PresenceStore } from './store.js';
import { guardStore } from './store-guard.js';
import { adaptLegacyPresenceStore, isLegacyPresenceStore } from './stores/legacy.js';
import { createMemoryPresenceStore } from './stores/memory.js';

/** The config with defaults applied and durations in milliseconds. */
export interface PresenceSettings<Ctx = CollectionContext> {
  /** Name prefix, `''` for none. */
  prefix: string;
  /** Reads the actor id from ctx (unchecked). */
  getActorId: (ctx: Ctx) => unknown;
  /** Reads the scope from ctx (unchecked); undefined when the pack is unscoped. */
  scope: ((ctx: Ctx) => unknown) | undefined;
  /** Channel gate. */
  canAccessChannel: ((channel: string, ctx: Ctx) => Awaitable<boolean>) | undefined;
  /** Heartbeat TTL in ms. */
  ttlMs: number;
  /** Typing TTL in ms. */
  typingTtlMs: number;
  /** Cleanup cron pattern. */
  cleanupCron: string;
  /** The store (0.3 stores already adapted), behind the deadline and answer checks of `store-guard.ts`. */
  store: PresenceStore;
  /** The clock. */
  now: () => number;
  /** Largest state in UTF-8 bytes of its JSON. */
  maxStateBytes: number;
  /** Deepest nesting of a state. */
  maxStateDepth: number;
  /** Longest channel. */
  maxChannelLength: number;
  /** Longest session id. */
  maxSessionLength: number;
  /** Most live members per channel. */
  maxMembersPerChannel: number;
  /** Most live sessions of one actor per channel. */
  maxSessionsPerActor: number;
  /** Most rows one cleanup run removes. */
  cleanupBatchSize: number;
}

const PREFIX = /^[A-Za-z][A-Za-z0-9_-]*$/;

const positiveSeconds = (key: string, value: number | undefined, fallback: number): number => {
  const seconds = value ?? fallback;
  // Whole milliseconds: stores may keep times as integers (PostgreSQL bigint).
  const ms = typeof seconds === 'number' ? Math.round(seconds * 1000) : Number.NaN;
  if (!Number.isFinite(ms) || ms < 1) {
    throw new PresenceConfigError('INVALID_TTL', `${key} must be a finite number of seconds, at least 0.001; got ${String(value)}.`);
  }
  return ms;
};

const positiveInteger = (key: string, value: number | undefined, fallback: number): number => {
  const count = value ?? fallback;
  const ok = count === Infinity || (Number.isSafeInteger(count) && count > 0);
  if (typeof count !== 'number' || !ok) {
    throw new PresenceConfigError('INVALID_LIMIT', `${key} must be a positive integer; got ${String(value)}.`);
  }
  return count;
};

const boundedInteger = (key: string, value: number | undefined, fallback: number, max: number): number => {
  const count = positiveInteger(key, value, fallback);
  if (count > max) throw new PresenceConfigError('INVALID_LIMIT', `${key} must be at most ${max}; got ${String(value)}.`);
  return count;
};

const optionalFunction = <Fn>(key: string, value: Fn | undefined): Fn | undefined => {
  if (value !== undefined && typeof value !== 'function') {
    throw new PresenceConfigError('INVALID_OPTION', `${key} must be a function; got ${typeof value}.`);
  }
  return value;
};

const resolvePrefix = (prefix: unknown): string => {
  if (prefix === undefined) return '';
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new PresenceConfigError(
      'INVALID_PREFIX',
      `prefix must start with a letter and hold only letters, digits, "_" or "-" (e.g. "docs_"); got ${JSON.stringify(prefix)}. Omit it for the unprefixed names.`,
    );
  }
  return prefix;
};

const resolveCron = (pattern: unknown): string => {
  if (typeof pattern !== 'string') {
    throw new PresenceConfigError('INVALID_CRON', `cleanupCron must be a cron pattern string; got ${typeof pattern}.`);
  }
  try {
    new Cron(pattern);
  } catch (error) {
    throw new PresenceConfigError(
      'INVALID_CRON',
      `cleanupCron ${JSON.stringify(pattern)} is not a valid cron pattern (${(error as Error).message}); e.g. "*/15 * * * * *".`,
    );
  }
  return pattern;
};

const resolveStoreTimeout = (value: unknown): number => {
  const timeoutMs = value ?? 10_000;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new PresenceConfigError('INVALID_OPTION', `storeTimeoutMs must be a positive finite number of milliseconds; got ${typeof value === 'number' ? String(value) : typeof value}.`);
  }
  return timeoutMs;
};

const STORE_METHODS = ['get', 'upsert', 'admit', 'update', 'remove', 'channel', 'sweep', 'rows'] as const;

const resolveStore = (store: PresencePackConfig['store']): PresenceStore => {
  if (store === undefined) return createMemoryPresenceStore();
  if (typeof store === 'object' && store !== null) {
    if (isLegacyPresenceStore(store)) return adaptLegacyPresenceStore(store);
    const missing = STORE_METHODS.filter((method) => typeof store[method] !== 'function');
    if (missing.length === 0) return store;
    throw new PresenceConfigError('INVALID_STORE', `store is missing ${missing.join(', ')}: implement the PresenceStore interface, or pass a 0.3 store.`);
  }
  throw new PresenceConfigError('INVALID_STORE', `store must be a PresenceStore object; got ${String(store)}.`);
};

const defaultActorId = (ctx: unknown): unknown => (ctx as { userId?: unknown } | undefined)?.userId;

/** Applies defaults and checks every key; throws `PresenceConfigError`. */
export const resolveSettings = <Ctx>(config: PresencePackConfig<Ctx> = {}): PresenceSettings<Ctx> => {
  const limits = config.limits ?? {};
  return {
    prefix: resolvePrefix(config.prefix),
    getActorId: optionalFunction('getActorId', config.getActorId) ?? defaultActorId,
    scope: optionalFunction('scope', config.scope),
    canAccessChannel: optionalFunction('canAccessChannel', config.canAccessChannel),
    ttlMs: positiveSeconds('heartbeatTtlSec', config.heartbeatTtlSec, 30),
    typingTtlMs: positiveSeconds('typingTtlSec', config.typingTtlSec, 5),
    cleanupCron: resolveCron(config.cleanupCron ?? '*/15 * * * * *'),
    store: guardStore(resolveStore(config.store), resolveStoreTimeout(config.storeTimeoutMs)),
    now: optionalFunction('now', config.now) ?? Date.now,
    maxStateBytes: positiveInteger('limits.maxStateBytes', limits.maxStateBytes, 8192),
    maxStateDepth: boundedInteger('limits.maxStateDepth', limits.maxStateDepth, 64, MAX_STATE_DEPTH),
    maxChannelLength: positiveInteger('limits.maxChannelLength', limits.maxChannelLength, 256),
    maxSessionLength: positiveInteger('limits.maxSessionLength', limits.maxSessionLength, 256),
    maxMembersPerChannel: positiveInteger('limits.maxMembersPerChannel', limits.maxMembersPerChannel, Infinity),
    maxSessionsPerActor: positiveInteger('limits.maxSessionsPerActor', limits.maxSessionsPerActor, 32),
    cleanupBatchSize: positiveInteger('cleanupBatchSize', config.cleanupBatchSize, 5000),
  };
};
